import type { ConnectionState, ConversationRef } from '@parley/sdk';
import type { WalletView } from '../wallet-view.js';

/** What the screens draw: plain data, so each screen renders the same way in tests. */

export interface ConversationItem {
  readonly key: string;
  readonly ref: ConversationRef;
  /** `bob`, `#general`, `Team A`. */
  readonly title: string;
  readonly unread: number;
  /** Direct chats: the peer's presence when the server shares it. */
  readonly online: boolean | undefined;
  /** Someone is typing there now. */
  readonly typing: boolean;
  readonly muted: boolean;
}

export type LineKind = 'message' | 'system' | 'pending' | 'failed';

export interface ChatLine {
  /** Stable React key. */
  readonly id: string;
  readonly kind: LineKind;
  readonly seq: bigint | undefined;
  readonly time: number;
  readonly sender: string;
  readonly mine: boolean;
  readonly text: string;
  readonly edited: boolean;
  readonly recalled: boolean;
  /** Own messages: another member has read it (✓✓; ✓ = stored). */
  readonly read: boolean;
  /** Content drawn in a colour of its own: red packets and call records. */
  readonly special?: 'red-packet' | 'call' | undefined;
}

export interface ActiveConversation {
  readonly key: string;
  readonly title: string;
  /** `direct · online`, `group`, `chatroom`. */
  readonly subtitle: string;
  readonly lines: readonly ChatLine[];
  /** Older messages exist on the server (PageUp at the top loads them). */
  readonly hasMore: boolean;
  readonly loading: boolean;
  /** `bob is typing…`, or undefined. */
  readonly typing: string | undefined;
}

export type NoticeTone = 'info' | 'error' | 'message';

export interface Notice {
  readonly text: string;
  readonly tone: NoticeTone;
}

export interface SearchHit {
  readonly id: string;
  readonly where: string;
  readonly sender: string;
  readonly time: number;
  readonly text: string;
}

export type Overlay =
  | { readonly kind: 'help' }
  | { readonly kind: 'search'; readonly query: string; readonly hits: readonly SearchHit[] | undefined }
  /** `/wallet`: undefined while it loads. */
  | { readonly kind: 'wallet'; readonly wallet: WalletView | undefined };

export interface ChatSnapshot {
  readonly username: string;
  readonly server: string;
  /** With a gateway: the cluster node this connection went to. */
  readonly node: string | undefined;
  readonly state: ConnectionState;
  readonly conversations: readonly ConversationItem[];
  readonly activeKey: string | undefined;
  readonly active: ActiveConversation | undefined;
  readonly notice: Notice | undefined;
  readonly overlay: Overlay | undefined;
}
