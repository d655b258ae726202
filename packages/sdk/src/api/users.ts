import {
  Command,
  ProfileUpdateRequestSchema,
  UserProfileSchema,
  UserSearchRequestSchema,
  UsersRequestSchema,
  UsersResponseSchema,
  type UserProfile,
} from '@parley/protocol';
import type { Caller } from '../client.js';

/** Profiles and presence (online / last seen where this user may see it). */
export class UsersApi {
  constructor(private readonly caller: Caller) {}

  /** Changes this user's own profile (only the given fields). */
  updateProfile(changes: {
    readonly displayName?: string;
    readonly avatarUrl?: string;
  }): Promise<UserProfile> {
    return this.caller.call(
      Command.PROFILE_UPDATE,
      ProfileUpdateRequestSchema,
      { ...changes },
      UserProfileSchema,
    );
  }

  /** Username prefix or display-name substring, case-insensitive. */
  async search(query: string, limit = 20): Promise<UserProfile[]> {
    const res = await this.caller.call(
      Command.USER_SEARCH,
      UserSearchRequestSchema,
      { query, limit },
      UsersResponseSchema,
    );
    return res.users;
  }

  /** Profiles by id (≤ 200), with presence where visible. */
  async get(userIds: readonly bigint[]): Promise<UserProfile[]> {
    const res = await this.caller.call(
      Command.USERS_GET,
      UsersRequestSchema,
      { userIds: [...userIds] },
      UsersResponseSchema,
    );
    return res.users;
  }
}
