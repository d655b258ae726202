import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import type { ConversationRef, ParleyClient } from '@parley/sdk';
import type { ChatMessage, LocationView } from '../model.js';
import { errorText } from '../format.js';
import { sendLocation, sendMedia } from '../send.js';
import type { Recording } from '../hooks/useRecorder.js';
import { EmojiPicker } from './EmojiPicker.js';
import { LocationDialog } from './LocationDialog.js';
import { SendRedPacketDialog } from './SendRedPacketDialog.js';
import { VoiceButton } from './VoiceButton.js';
import { Icon } from './Icon.js';

/** Typing signals go out at most this often while the user types (the server allows one per 300 ms). */
const TYPING_EVERY_MS = 2000;
const MAX_TEXT = 10_000;
/** What the server accepts (it sniffs the bytes; this only narrows the file chooser). */
const ACCEPT =
  'image/png,image/jpeg,image/gif,image/webp,audio/*,video/mp4,video/webm,video/quicktime,application/pdf';

export interface ComposerProps {
  client: ParleyClient;
  conversation: ConversationRef;
  token: string;
  /** The own message being edited, if any. */
  editing: ChatMessage | undefined;
  onEditDone: () => void;
  /** Sends a text (with mentions where the conversation has them). */
  sendText: (text: string) => Promise<unknown>;
  onSending: () => void;
  onError: (message: string) => void;
}

export function Composer(props: ComposerProps): React.JSX.Element {
  const { client, conversation, token, editing, onEditDone, onError, onSending } = props;
  const [text, setText] = useState('');
  const [picker, setPicker] = useState(false);
  const [locating, setLocating] = useState(false);
  const [packeting, setPacketing] = useState(false);
  const [uploads, setUploads] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const lastTyping = useRef(0);
  const typingInFlight = useRef(false);

  // Editing puts the message's text in the box (in the same render as the edit banner); leaving
  // edit mode empties it.
  const [shownEditing, setShownEditing] = useState(editing);
  if (editing !== shownEditing) {
    setShownEditing(editing);
    setText(editing?.text ?? '');
  }
  useEffect(() => {
    if (editing !== undefined) inputRef.current?.focus();
  }, [editing]);

  const signalTyping = (): void => {
    const now = Date.now();
    if (editing !== undefined || typingInFlight.current || now - lastTyping.current < TYPING_EVERY_MS) return;
    typingInFlight.current = true;
    client.messages
      .typing(conversation)
      .then(
        () => {
          lastTyping.current = now;
        },
        () => {
          // Best effort, never an error: a refused signal (e.g. rate limited just after the
          // previous one) is simply tried again on the next keystroke.
        },
      )
      .finally(() => {
        typingInFlight.current = false;
      });
  };

  const insert = (emoji: string): void => {
    const el = inputRef.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + emoji + text.slice(end);
    if (next.length > MAX_TEXT) return;
    setText(next);
    setPicker(false);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  };

  const submit = (e: SyntheticEvent): void => {
    e.preventDefault();
    const value = text;
    if (value.trim() === '') return;
    setText('');
    if (editing !== undefined) {
      onEditDone();
      if (value === editing.text) return;
      client.messages.edit(conversation, editing.seq, value).catch((err: unknown) => {
        onError(`Could not edit: ${errorText(err)}`);
      });
      return;
    }
    lastTyping.current = 0;
    onSending();
    props.sendText(value).catch((err: unknown) => {
      onError(errorText(err));
      setText(value);
    });
  };

  const upload = (what: string, run: () => Promise<unknown>): void => {
    onSending();
    setUploads((n) => n + 1);
    run()
      .catch((err: unknown) => {
        onError(`${what} not sent: ${errorText(err)}`);
      })
      .finally(() => {
        setUploads((n) => n - 1);
      });
  };

  const sendFile = (file: File): void => {
    upload(file.name, () => sendMedia(client, conversation, token, file, file.name));
  };

  const sendVoice = (r: Recording): void => {
    const ext = r.mime === 'audio/mp4' ? 'm4a' : (r.mime.split('/')[1] ?? 'webm');
    upload('Voice message', () =>
      sendMedia(client, conversation, token, r.blob, `voice-${Date.now()}.${ext}`, {
        kind: 'sound',
        mime: r.mime,
        durationMs: r.durationMs,
      }),
    );
  };

  const shareLocation = (location: LocationView): void => {
    setLocating(false);
    onSending();
    sendLocation(client, conversation, location).catch((err: unknown) => {
      onError(`Location not sent: ${errorText(err)}`);
    });
  };

  return (
    <div className="composer-wrap">
      {editing !== undefined && (
        <div className="composer-note" data-testid="editing">
          Editing a message
          <button type="button" className="link" onClick={onEditDone} data-testid="cancel-edit">
            Cancel
          </button>
        </div>
      )}
      {uploads > 0 && (
        <div className="composer-note muted" data-testid="uploading">
          Uploading…
        </div>
      )}
      <form className="composer" onSubmit={submit}>
        {editing === undefined && (
          <>
            <button
              type="button"
              className="icon"
              onClick={() => fileRef.current?.click()}
              aria-label="Attach a file"
              title="Attach an image, video, audio or PDF"
              data-testid="attach"
            >
              <Icon name="attach" />
            </button>
            <input
              ref={fileRef}
              type="file"
              accept={ACCEPT}
              hidden
              data-testid="attach-input"
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file !== undefined) sendFile(file);
                e.target.value = '';
              }}
            />
            <VoiceButton onRecorded={sendVoice} onError={onError} />
            <button
              type="button"
              className="icon"
              onClick={() => {
                setLocating(true);
              }}
              aria-label="Share a location"
              title="Share a location"
              data-testid="share-location"
            >
              <Icon name="pin" />
            </button>
            <button
              type="button"
              className="icon"
              onClick={() => {
                setPacketing(true);
              }}
              aria-label="Send a red packet"
              title="Send a red packet"
              data-testid="red-packet-button"
            >
              <Icon name="gift" />
            </button>
          </>
        )}
        <span className="emoji-anchor">
          <button
            type="button"
            className="icon"
            onClick={() => {
              setPicker((p) => !p);
            }}
            aria-label="Emoji"
            title="Emoji"
            aria-expanded={picker}
            data-testid="emoji-button"
          >
            <Icon name="smile" />
          </button>
          {picker && (
            <EmojiPicker
              onPick={insert}
              onClose={() => {
                setPicker(false);
              }}
            />
          )}
        </span>
        <input
          ref={inputRef}
          className="text"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (e.target.value !== '') signalTyping();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && editing !== undefined) onEditDone();
          }}
          placeholder={editing !== undefined ? 'Edit message' : 'Message'}
          aria-label="Message"
          data-testid="composer"
          maxLength={MAX_TEXT}
        />
        <button type="submit" data-testid="send">
          {editing !== undefined ? 'Save' : 'Send'}
        </button>
      </form>
      {packeting && (
        <SendRedPacketDialog
          client={client}
          conversation={conversation}
          onClose={() => {
            setPacketing(false);
          }}
          onSent={() => {
            setPacketing(false);
            onSending();
          }}
        />
      )}
      {locating && (
        <LocationDialog
          onSend={shareLocation}
          onClose={() => {
            setLocating(false);
          }}
        />
      )}
    </div>
  );
}
