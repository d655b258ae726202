import { ConversationType, type CallMedia, type ConversationRef } from '@parley/sdk';
import { Icon } from './Icon.js';

/** Title, the live line under it (typing, presence), and the conversation's actions. */
export function ChatHeader(props: {
  conversation: ConversationRef;
  title: string;
  typing: string;
  presence: { online: boolean; text: string } | undefined;
  onBack: () => void;
  onManageGroup: () => void;
  onLeaveRoom: () => void;
  /** Direct chats: start a call (undefined: no call buttons). */
  onCall: ((media: CallMedia) => void) | undefined;
  /** A call is in progress: the call buttons wait. */
  inCall: boolean;
}): React.JSX.Element {
  const { conversation, typing, presence } = props;
  const prefix = conversation.type === ConversationType.CHATROOM ? '#' : '';
  return (
    <header className="bar chat-bar">
      <button className="back" onClick={props.onBack} aria-label="Back" data-testid="back">
        ‹
      </button>
      <div className="chat-title">
        <strong data-testid="chat-title">
          {prefix}
          {props.title}
        </strong>
        {typing !== '' ? (
          <span className="subtitle typing" data-testid="typing-indicator">
            {typing}
          </span>
        ) : presence !== undefined && presence.text !== '' ? (
          <span
            className="subtitle muted"
            data-testid="peer-presence"
            data-online={presence.online ? 'true' : 'false'}
          >
            {presence.online && <span className="dot online" aria-hidden="true" />}
            {presence.text}
          </span>
        ) : null}
      </div>
      {props.onCall !== undefined && (
        <>
          <button
            className="icon"
            onClick={() => props.onCall?.('voice')}
            disabled={props.inCall}
            aria-label="Voice call"
            title="Voice call"
            data-testid="call-voice"
          >
            <Icon name="phone" />
          </button>
          <button
            className="icon"
            onClick={() => props.onCall?.('video')}
            disabled={props.inCall}
            aria-label="Video call"
            title="Video call"
            data-testid="call-video"
          >
            <Icon name="video" />
          </button>
        </>
      )}
      {conversation.type === ConversationType.GROUP && (
        <button onClick={props.onManageGroup} data-testid="manage-group">
          Group
        </button>
      )}
      {conversation.type === ConversationType.CHATROOM && (
        <button onClick={props.onLeaveRoom} data-testid="leave-room">
          Leave
        </button>
      )}
    </header>
  );
}
