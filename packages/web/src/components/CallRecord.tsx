import { callRecordText, type CallView } from '../call-record.js';
import { Icon } from './Icon.js';

/** A CALL message: "Video call · 0:42", "Missed voice call", worded for the caller or the callee. */
export function CallRecord(props: { call: CallView; outgoing: boolean }): React.JSX.Element {
  const { call } = props;
  const missed = call.outcome !== 'completed' && !props.outgoing;
  return (
    <span
      className={missed ? 'call-record missed' : 'call-record'}
      data-testid="call-record"
      data-outcome={call.outcome}
      data-media={call.media}
      data-duration-ms={String(call.durationMs)}
    >
      <Icon name={call.media === 'video' ? 'video' : 'phone'} />
      <span className="text">{callRecordText(call, props.outgoing)}</span>
    </span>
  );
}
