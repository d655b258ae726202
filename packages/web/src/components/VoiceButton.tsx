import { useRecorder, type Recording } from '../hooks/useRecorder.js';
import { duration, errorText } from '../format.js';
import { Icon } from './Icon.js';

/** Record a voice message: the mic button starts, Send stops and hands the recording over. */
export function VoiceButton(props: {
  onRecorded: (recording: Recording) => void;
  onError: (message: string) => void;
}): React.JSX.Element {
  const { onRecorded, onError } = props;
  const recorder = useRecorder();
  if (recorder.state !== 'recording') {
    return (
      <button
        type="button"
        className="icon"
        disabled={recorder.state === 'starting'}
        onClick={() => {
          recorder.start().catch((err: unknown) => {
            onError(`Cannot record: ${errorText(err)}`);
          });
        }}
        aria-label="Record a voice message"
        title="Record a voice message"
        data-testid="record"
      >
        <Icon name="mic" />
      </button>
    );
  }
  return (
    <span className="recording" data-testid="recording">
      <span className="rec-dot" aria-hidden="true" />
      <span>{duration(recorder.elapsedMs)}</span>
      <button type="button" onClick={recorder.cancel} data-testid="record-cancel">
        Cancel
      </button>
      <button
        type="button"
        className="primary"
        onClick={() => {
          recorder.stop().then(onRecorded, (err: unknown) => {
            onError(`Voice message not sent: ${errorText(err)}`);
          });
        }}
        data-testid="record-send"
      >
        Send voice
      </button>
    </span>
  );
}
