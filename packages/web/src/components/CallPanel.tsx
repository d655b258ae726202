import { useEffect, useRef, useState } from 'react';
import type { CallController, CallSnapshot } from '../call-controller.js';
import { duration } from '../format.js';
import { Icon } from './Icon.js';

/** A <video> or <audio> element playing a MediaStream (srcObject is not an attribute React sets). */
function StreamView(props: {
  kind: 'video' | 'audio';
  stream: MediaStream | undefined;
  muted?: boolean;
  className?: string;
  testId: string;
}): React.JSX.Element {
  const ref = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el !== null && el.srcObject !== (props.stream ?? null)) el.srcObject = props.stream ?? null;
  }, [props.stream]);
  const common = {
    ref,
    autoPlay: true,
    muted: props.muted === true,
    className: props.className,
    'data-testid': props.testId,
  };
  return props.kind === 'video' ? <video {...common} playsInline /> : <audio {...common} />;
}

function statusText(call: CallSnapshot, now: number): string {
  switch (call.phase) {
    case 'outgoing':
      return 'Calling…';
    case 'ringing':
      return 'Ringing…';
    case 'incoming':
      return `Incoming ${call.media} call`;
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return call.connectionState === 'disconnected'
        ? 'Reconnecting…'
        : duration(Math.max(0, now - call.connectedAt));
    case 'ended':
      return call.endReason;
  }
}

/** The current call: who, its state, the videos (or the remote audio), and its buttons. */
export function CallPanel(props: {
  call: CallSnapshot;
  controller: CallController;
  peerName: string;
}): React.JSX.Element {
  const { call, controller } = props;
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (call.phase !== 'connected') return;
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, [call.phase]);
  const video = call.media === 'video';
  const live = call.phase !== 'ended' && call.phase !== 'incoming';
  return (
    <div
      className={`call-panel ${video ? 'video' : 'voice'} phase-${call.phase}`}
      role="dialog"
      aria-label={`${video ? 'Video' : 'Voice'} call with ${props.peerName}`}
      data-testid="call-panel"
      data-state={call.phase}
      data-connection={call.connectionState}
      data-media={call.media}
      data-direction={call.direction}
    >
      {video && (call.localStream !== undefined || call.remoteStream !== undefined) && (
        <div className="call-stage">
          <StreamView
            kind="video"
            stream={call.remoteStream}
            className="remote-video"
            testId="remote-video"
          />
          <StreamView
            kind="video"
            stream={call.localStream}
            muted
            className="local-video"
            testId="local-video"
          />
        </div>
      )}
      {!video && call.remoteStream !== undefined && (
        <StreamView kind="audio" stream={call.remoteStream} testId="remote-audio" />
      )}
      <div className="call-info">
        <strong className="call-peer">{props.peerName}</strong>
        <span className="call-status" data-testid="call-status">
          {statusText(call, now)}
        </span>
      </div>
      <div className="call-actions">
        {call.phase === 'incoming' && (
          <>
            <button
              className="call-accept"
              onClick={() => void controller.accept()}
              data-testid="call-accept"
              aria-label="Accept"
            >
              <Icon name={video ? 'video' : 'phone'} /> Accept
            </button>
            <button
              className="call-end"
              onClick={() => {
                controller.refuse();
              }}
              data-testid="call-refuse"
            >
              Decline
            </button>
          </>
        )}
        {live && (
          <>
            <button
              onClick={() => {
                controller.toggleMic();
              }}
              aria-pressed={call.micOff}
              data-testid="call-mute"
            >
              {call.micOff ? 'Unmute' : 'Mute'}
            </button>
            {video && (
              <button
                onClick={() => {
                  controller.toggleCamera();
                }}
                aria-pressed={call.cameraOff}
                data-testid="call-camera"
              >
                {call.cameraOff ? 'Camera on' : 'Camera off'}
              </button>
            )}
            <button
              className="call-end"
              onClick={() => {
                controller.hangup();
              }}
              data-testid="call-hangup"
            >
              <Icon name="phoneOff" />{' '}
              {call.phase === 'outgoing' || call.phase === 'ringing' ? 'Cancel' : 'Hang up'}
            </button>
          </>
        )}
        {call.phase === 'ended' && (
          <button
            onClick={() => {
              controller.dismiss();
            }}
            data-testid="call-close"
          >
            Close
          </button>
        )}
      </div>
    </div>
  );
}
