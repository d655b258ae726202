import { useCallback, useEffect, useState } from 'react';
import { GroupRole, type GroupInfo, type ParleyClient } from '@parley/sdk';
import type { Parley } from '../hooks/useParley.js';
import { userLabel } from '../model.js';
import { errorText } from '../format.js';
import { Dialog } from './Dialog.js';
import { MemberPicker } from './MemberPicker.js';

/** The SDK does not re-export the protocol's Member type; this is the same shape. */
type Member = Awaited<ReturnType<ParleyClient['groups']['members']>>['members'][number];

const ROLE_LABEL: Readonly<Record<number, string>> = {
  [GroupRole.OWNER]: 'owner',
  [GroupRole.ADMIN]: 'admin',
};

/** A group's name and members: rename, add and remove (owner/admin), leave, dismiss (owner). */
export function GroupSettingsDialog(props: {
  parley: Parley;
  groupId: string;
  onClose: () => void;
  /** I left, or the group is gone. */
  onLeft: () => void;
}): React.JSX.Element {
  const { parley, groupId, onLeft } = props;
  const { client, model, me, ensureUsers, scheduleRefresh } = parley;
  const [info, setInfo] = useState<GroupInfo | undefined>();
  const [members, setMembers] = useState<readonly Member[]>([]);
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [confirmDismiss, setConfirmDismiss] = useState(false);

  const reload = useCallback(async () => {
    const [i, m] = await Promise.all([
      client.groups.info(groupId),
      client.groups.members(groupId, { limit: 200 }),
    ]);
    setInfo(i);
    setName(i.name);
    setMembers(m.members);
    ensureUsers(m.members.map((x) => x.userId));
  }, [client, groupId, ensureUsers]);

  useEffect(() => {
    reload().catch((err: unknown) => {
      setError(errorText(err));
    });
  }, [reload]);

  const run = (what: string, action: () => Promise<unknown>, after?: () => void): void => {
    setError('');
    setNotice('');
    action()
      .then(async () => {
        setNotice(what);
        scheduleRefresh();
        if (after === undefined) await reload();
        else after();
      })
      .catch((err: unknown) => {
        setError(errorText(err));
      });
  };

  const myRole = members.find((m) => m.userId === me)?.role ?? GroupRole.MEMBER;
  const manager = myRole === GroupRole.OWNER || myRole === GroupRole.ADMIN;

  return (
    <Dialog
      title={info === undefined ? 'Group' : `Group: ${info.name}`}
      testId="group-settings"
      onClose={props.onClose}
      onSubmit={() => {
        run('Renamed.', () => client.groups.update(groupId, { name: name.trim() }));
      }}
    >
      {manager ? (
        <label>
          Name
          <span className="row">
            <input
              name="rename"
              value={name}
              onChange={(e) => {
                setName(e.target.value);
              }}
              required
            />
            <button type="submit" data-testid="rename-group">
              Rename
            </button>
          </span>
        </label>
      ) : null}
      <h3>
        Members <span className="muted">({members.length})</span>
      </h3>
      <ul className="member-list" data-testid="group-members">
        {members.map((m) => {
          const label = userLabel(model.users.get(m.userId), String(m.userId));
          const removable =
            manager && m.userId !== me && (myRole === GroupRole.OWNER || m.role === GroupRole.MEMBER);
          return (
            <li key={String(m.userId)} data-testid="group-member" data-name={label}>
              <span>
                {label}
                {m.userId === me ? ' (you)' : ''}
              </span>
              {ROLE_LABEL[m.role] !== undefined && <span className="role">{ROLE_LABEL[m.role]}</span>}
              {removable && (
                <button
                  type="button"
                  className="link"
                  data-testid="remove-member"
                  onClick={() => {
                    run(`Removed ${label}.`, () => client.groups.removeMembers(groupId, [m.userId]));
                  }}
                >
                  Remove
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {manager && (
        <MemberPicker
          client={client}
          label="Add a member (username or user id)"
          onAdd={(u) => {
            run(`Added ${u.label}.`, () => client.groups.addMembers(groupId, [u.id]));
          }}
        />
      )}
      {notice !== '' && (
        <p className="muted" data-testid="group-notice">
          {notice}
        </p>
      )}
      {error !== '' && <p className="error">{error}</p>}
      <div className="row">
        {myRole === GroupRole.OWNER ? (
          <button
            type="button"
            className="danger"
            data-testid="dismiss-group"
            onClick={() => {
              // Dismissing ends the group for everybody: the first click only asks.
              if (!confirmDismiss) setConfirmDismiss(true);
              else run('Dismissed.', () => client.groups.dismiss(groupId), onLeft);
            }}
          >
            {confirmDismiss ? 'Dismiss for everybody?' : 'Dismiss group'}
          </button>
        ) : (
          <button
            type="button"
            className="danger"
            data-testid="leave-group"
            onClick={() => {
              run('Left.', () => client.groups.leave(groupId), onLeft);
            }}
          >
            Leave group
          </button>
        )}
      </div>
    </Dialog>
  );
}
