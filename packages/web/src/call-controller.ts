import { CallSignalKind, type CallMedia, type CallSignal, type ParleyClient } from '@parley/sdk';
import { errorText } from './format.js';
import { addCandidate, newCallId, openDevices } from './webrtc.js';

/**
 * outgoing: invite sent; ringing: the callee's device rings; incoming: this device rings;
 * connecting: answered, WebRTC connecting; connected: media flows; ended: over (shown briefly).
 */
export type CallPhase = 'outgoing' | 'ringing' | 'incoming' | 'connecting' | 'connected' | 'ended';

/** What the UI shows of the current call. Immutable: every change makes a new one. */
export interface CallSnapshot {
  readonly callId: string;
  readonly peerId: bigint;
  readonly media: CallMedia;
  readonly direction: 'outgoing' | 'incoming';
  readonly phase: CallPhase;
  /** RTCPeerConnection.connectionState ('new' before there is one). */
  readonly connectionState: RTCPeerConnectionState;
  /** When media started to flow (0 before). */
  readonly connectedAt: number;
  /** Why it ended, for people ("Declined", "No answer", ...). */
  readonly endReason: string;
  readonly localStream: MediaStream | undefined;
  readonly remoteStream: MediaStream | undefined;
  readonly micOff: boolean;
  readonly cameraOff: boolean;
}

/** How long an ended call stays on screen. */
const ENDED_SHOW_MS = 4000;

interface Active {
  snapshot: CallSnapshot;
  pc: RTCPeerConnection | undefined;
  /** incoming: the caller's SDP offer. */
  offer: string;
  /** Candidates from the peer that came before the remote description. */
  remoteCandidates: RTCIceCandidateInit[];
  /** Our candidates wait until the server knows the call (invite or answer acknowledged). */
  localCandidates: string[];
  signalingReady: boolean;
  /** outgoing: the invite in flight (a cancel must not overtake it). */
  invited: Promise<boolean>;
  /** An answer was sent or received: ending is a hangup, not a cancel or refusal. */
  answered: boolean;
}

const ignore = (): void => undefined;

/**
 * One 1:1 WebRTC call at a time, signaled through the server (`client.calls`, `call` events):
 * the caller sends its SDP offer with the invite, the callee answers with its SDP, and both
 * trickle ICE candidates (JSON) as they come. A second invite while busy is answered `busy`.
 * Not React: the `useCall` hook subscribes to its snapshots.
 */
export class CallController {
  private active: Active | undefined;
  private snap: CallSnapshot | undefined;
  private readonly listeners = new Set<() => void>();
  private endTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly client: ParleyClient,
    private readonly iceServers: () => Promise<RTCIceServer[]>,
    private readonly onError: (message: string) => void,
  ) {}

  /** Listens for call signals; returns the function that stops (ending any call). */
  start(): () => void {
    const off = this.client.on('call', (signal) => {
      this.onSignal(signal).catch((err: unknown) => {
        this.fail(`Call failed: ${errorText(err)}`);
      });
    });
    return () => {
      off();
      this.hangup();
      this.clear();
    };
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): CallSnapshot | undefined => this.snap;

  /** True while a call is set up or in progress (an ended one on screen does not count). */
  get busy(): boolean {
    return this.active !== undefined && this.active.snapshot.phase !== 'ended';
  }

  async call(peerId: bigint, media: CallMedia): Promise<void> {
    if (this.busy) {
      this.onError('You are already in a call.');
      return;
    }
    let invited = (_: boolean): void => undefined;
    const active = this.begin({
      callId: newCallId(),
      peerId,
      media,
      direction: 'outgoing',
      phase: 'outgoing',
      invited: new Promise<boolean>((resolve) => {
        invited = resolve;
      }),
    });
    try {
      const local = await openDevices(media);
      if (!this.live(active)) {
        for (const t of local.getTracks()) t.stop();
        invited(false);
        return;
      }
      const pc = await this.connect(active, local);
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      if (!this.live(active)) {
        invited(false);
        return;
      }
      await this.client.calls.invite(active.snapshot.callId, peerId, media, offer.sdp ?? '');
      invited(true);
      this.signalingReady(active);
    } catch (err) {
      invited(false);
      this.end(active, `Call failed: ${errorText(err)}`);
    }
  }

  async accept(): Promise<void> {
    const active = this.active;
    if (active?.snapshot.phase !== 'incoming') return;
    const { callId, peerId, media } = active.snapshot;
    this.update(active, { phase: 'connecting' });
    active.answered = true;
    try {
      const local = await openDevices(media);
      if (!this.live(active)) {
        for (const t of local.getTracks()) t.stop();
        return;
      }
      const pc = await this.connect(active, local);
      await pc.setRemoteDescription({ type: 'offer', sdp: active.offer });
      await this.flushRemoteCandidates(active);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      if (!this.live(active)) return;
      await this.client.calls.answer(callId, peerId, answer.sdp ?? '');
      this.signalingReady(active);
    } catch (err) {
      // Tell the caller, whatever failed here (devices, WebRTC, the answer itself).
      this.client.calls.hangup(callId, peerId).catch(ignore);
      this.end(active, `Call failed: ${errorText(err)}`);
    }
  }

  refuse(): void {
    const active = this.active;
    if (active?.snapshot.phase !== 'incoming') return;
    this.client.calls.refuse(active.snapshot.callId, active.snapshot.peerId).catch(ignore);
    this.end(active, 'Declined');
  }

  /** Ends the call from this side: a cancel before an answer, a refusal when ringing here, else a hangup. */
  hangup(): void {
    const active = this.active;
    if (active === undefined || active.snapshot.phase === 'ended') return;
    const { callId, peerId, direction } = active.snapshot;
    if (direction === 'incoming' && !active.answered) {
      this.refuse();
      return;
    }
    if (direction === 'outgoing' && !active.answered) {
      void active.invited.then((sent) => {
        if (sent) this.client.calls.cancel(callId, peerId).catch(ignore);
      });
      this.end(active, 'Cancelled');
      return;
    }
    this.client.calls.hangup(callId, peerId).catch(ignore);
    this.end(active, 'Call ended');
  }

  toggleMic(): void {
    this.toggle('audio', 'micOff');
  }

  toggleCamera(): void {
    this.toggle('video', 'cameraOff');
  }

  /** Closes the panel of an ended call now. */
  dismiss(): void {
    if (this.active?.snapshot.phase === 'ended') this.clear();
  }

  private async onSignal(signal: CallSignal): Promise<void> {
    if (signal.kind === CallSignalKind.INVITE) {
      this.onInvite(signal);
      return;
    }
    const active = this.active;
    if (active?.snapshot.callId !== signal.callId || active.snapshot.phase === 'ended') return;
    const outgoing = active.snapshot.direction === 'outgoing';
    switch (signal.kind) {
      case CallSignalKind.RINGING:
        if (outgoing && active.snapshot.phase === 'outgoing') this.update(active, { phase: 'ringing' });
        return;
      case CallSignalKind.ANSWER:
        if (!outgoing || active.pc === undefined) return;
        active.answered = true;
        this.update(active, { phase: 'connecting' });
        await active.pc.setRemoteDescription({ type: 'answer', sdp: signal.payload });
        await this.flushRemoteCandidates(active);
        return;
      case CallSignalKind.ICE:
        await this.addRemoteCandidate(active, signal.payload);
        return;
      case CallSignalKind.BUSY:
        this.end(active, 'Busy');
        return;
      case CallSignalKind.REFUSE:
        this.end(active, 'Declined');
        return;
      case CallSignalKind.CANCEL:
        // The server's ring timeout cancels with payload "timeout".
        this.end(active, outgoing ? 'No answer' : 'Missed call');
        return;
      case CallSignalKind.HANGUP:
        this.end(active, 'Call ended');
        return;
      case CallSignalKind.ANSWERED_ELSEWHERE:
        if (!outgoing && !active.answered) this.end(active, 'Answered on another device');
        return;
      default:
        return;
    }
  }

  private onInvite(signal: CallSignal): void {
    const media: CallMedia = signal.media === 'video' ? 'video' : 'voice';
    if (this.busy) {
      this.client.calls.refuse(signal.callId, signal.peerId, true).catch(ignore);
      return;
    }
    const active = this.begin({
      callId: signal.callId,
      peerId: signal.peerId,
      media,
      direction: 'incoming',
      phase: 'incoming',
      invited: Promise.resolve(true),
    });
    active.offer = signal.payload;
    this.client.calls.ringing(signal.callId, signal.peerId).catch(ignore);
  }

  private begin(init: {
    callId: string;
    peerId: bigint;
    media: CallMedia;
    direction: 'outgoing' | 'incoming';
    phase: CallPhase;
    invited: Promise<boolean>;
  }): Active {
    this.clear();
    const active: Active = {
      snapshot: {
        callId: init.callId,
        peerId: init.peerId,
        media: init.media,
        direction: init.direction,
        phase: init.phase,
        connectionState: 'new',
        connectedAt: 0,
        endReason: '',
        localStream: undefined,
        remoteStream: undefined,
        micOff: false,
        cameraOff: false,
      },
      pc: undefined,
      offer: '',
      remoteCandidates: [],
      localCandidates: [],
      signalingReady: false,
      invited: init.invited,
      answered: false,
    };
    this.active = active;
    this.emit();
    return active;
  }

  private async connect(active: Active, local: MediaStream): Promise<RTCPeerConnection> {
    const iceServers = await this.iceServers();
    const pc = new RTCPeerConnection({ iceServers });
    active.pc = pc;
    for (const track of local.getTracks()) pc.addTrack(track, local);
    this.update(active, { localStream: local });
    pc.onicecandidate = (e) => {
      if (e.candidate === null) return;
      const json = JSON.stringify(e.candidate.toJSON());
      if (active.signalingReady) this.sendCandidate(active, json);
      else active.localCandidates.push(json);
    };
    pc.ontrack = (e) => {
      const known = active.snapshot.remoteStream;
      const stream = e.streams[0] ?? known ?? new MediaStream();
      if (!stream.getTracks().includes(e.track)) stream.addTrack(e.track);
      if (known !== stream) this.update(active, { remoteStream: stream });
    };
    pc.onconnectionstatechange = () => {
      if (!this.live(active)) return;
      const state = pc.connectionState;
      if (state === 'connected' && active.snapshot.connectedAt === 0) {
        this.update(active, { connectionState: state, phase: 'connected', connectedAt: Date.now() });
      } else if (state === 'failed') {
        this.client.calls.hangup(active.snapshot.callId, active.snapshot.peerId).catch(ignore);
        this.end(active, 'Connection failed');
      } else {
        this.update(active, { connectionState: state });
      }
    };
    return pc;
  }

  private signalingReady(active: Active): void {
    active.signalingReady = true;
    for (const json of active.localCandidates.splice(0)) this.sendCandidate(active, json);
  }

  private sendCandidate(active: Active, json: string): void {
    if (!this.live(active)) return;
    // A candidate after the call ended elsewhere is refused (NOT_FOUND): nothing to do about it.
    this.client.calls.ice(active.snapshot.callId, active.snapshot.peerId, json).catch(ignore);
  }

  private async addRemoteCandidate(active: Active, payload: string): Promise<void> {
    let candidate: RTCIceCandidateInit;
    try {
      candidate = JSON.parse(payload) as RTCIceCandidateInit;
    } catch {
      return; // not ours to understand (another client's format): skip it
    }
    if (active.pc?.remoteDescription == null) active.remoteCandidates.push(candidate);
    else await addCandidate(active.pc, candidate);
  }

  private async flushRemoteCandidates(active: Active): Promise<void> {
    const pc = active.pc;
    if (pc === undefined) return;
    for (const c of active.remoteCandidates.splice(0)) await addCandidate(pc, c);
  }

  private toggle(kind: 'audio' | 'video', flag: 'micOff' | 'cameraOff'): void {
    const active = this.active;
    const stream = active?.snapshot.localStream;
    if (active === undefined || stream === undefined) return;
    const off = !active.snapshot[flag];
    for (const t of kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks()) t.enabled = !off;
    this.update(active, flag === 'micOff' ? { micOff: off } : { cameraOff: off });
  }

  private end(active: Active, reason: string): void {
    if (!this.isCurrent(active) || active.snapshot.phase === 'ended') return;
    for (const t of active.snapshot.localStream?.getTracks() ?? []) t.stop();
    active.pc?.close();
    active.pc = undefined;
    this.update(active, {
      phase: 'ended',
      endReason: reason,
      localStream: undefined,
      remoteStream: undefined,
    });
    this.endTimer = setTimeout(() => {
      if (this.active === active) this.clear();
    }, ENDED_SHOW_MS);
  }

  private fail(message: string): void {
    const active = this.active;
    if (active !== undefined && active.snapshot.phase !== 'ended') {
      this.client.calls.hangup(active.snapshot.callId, active.snapshot.peerId).catch(ignore);
      this.end(active, message);
    } else {
      this.onError(message);
    }
  }

  private clear(): void {
    if (this.endTimer !== undefined) clearTimeout(this.endTimer);
    this.endTimer = undefined;
    const active = this.active;
    if (active === undefined) return;
    for (const t of active.snapshot.localStream?.getTracks() ?? []) t.stop();
    active.pc?.close();
    this.active = undefined;
    this.emit();
  }

  private isCurrent(active: Active): boolean {
    return this.active === active;
  }

  /** Current and not ended: an async step that finds this false stops. */
  private live(active: Active): boolean {
    return this.active === active && active.snapshot.phase !== 'ended';
  }

  private update(active: Active, change: Partial<CallSnapshot>): void {
    if (!this.isCurrent(active)) return;
    active.snapshot = { ...active.snapshot, ...change };
    this.emit();
  }

  private emit(): void {
    this.snap = this.active?.snapshot;
    for (const l of this.listeners) l();
  }
}
