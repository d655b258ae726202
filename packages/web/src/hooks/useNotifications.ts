import { useCallback, useEffect, useRef, useState } from 'react';
import { ContentType, conversationKey, refOf, type ConversationRef, type ParleyClient } from '@parley/sdk';
import { preview } from '../model.js';
import type { ConversationRow } from './useParley.js';

export type NotifyPermission = NotificationPermission | 'unsupported';

/** Older messages (a sync after a long time offline) are not announced one by one. */
const FRESH_MS = 2 * 60 * 1000;

function permissionNow(): NotifyPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/**
 * Desktop notifications for new messages from others, only while the page is hidden, only after
 * the user allowed them, never for muted conversations. Clicking one opens its conversation.
 */
export function useNotifications(
  client: ParleyClient,
  me: bigint,
  rows: readonly ConversationRow[],
  onOpen: (ref: ConversationRef) => void,
): { permission: NotifyPermission; request: () => void } {
  const [permission, setPermission] = useState<NotifyPermission>(permissionNow);
  // The handler reads the latest rows and callback without resubscribing.
  const latest = useRef({ rows, onOpen });
  latest.current = { rows, onOpen };

  useEffect(
    () =>
      client.on('message', (m) => {
        if (permissionNow() !== 'granted' || document.visibilityState !== 'hidden') return;
        const type = m.messageContent?.contentType;
        if (m.senderId === me || type === ContentType.SYSTEM || m.conversation === undefined) return;
        if (Date.now() - Number(m.serverTime) > FRESH_MS) return;
        const ref = refOf(m.conversation);
        const key = conversationKey(ref);
        const row = latest.current.rows.find((r) => r.key === key);
        if (row?.muted === true) return;
        const sender = m.senderName !== '' ? m.senderName : m.from;
        const title = row === undefined || row.peerId !== undefined ? sender : `${sender} in ${row.name}`;
        const n = new Notification(title, { body: preview(m, me), tag: key });
        n.onclick = () => {
          window.focus();
          latest.current.onOpen(ref);
          n.close();
        };
      }),
    [client, me],
  );

  const request = useCallback(() => {
    if (typeof Notification === 'undefined') return;
    void Notification.requestPermission().then(setPermission);
  }, []);

  return { permission, request };
}
