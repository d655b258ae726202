import type { CallMedia } from '@parley/sdk';
import { errorText } from './format.js';

/** A call id unique enough across devices (crypto.randomUUID needs a secure page; this does not). */
export function newCallId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `web-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The microphone, and the camera for a video call; without a camera a video call goes on with sound only. */
export async function openDevices(media: CallMedia): Promise<MediaStream> {
  if (typeof navigator.mediaDevices === 'undefined') {
    throw new Error('calls need a secure page (HTTPS or localhost) for the microphone and camera');
  }
  const devices = navigator.mediaDevices;
  const audioOnly = (): Promise<MediaStream> => devices.getUserMedia({ audio: true, video: false });
  try {
    if (media === 'voice') return await audioOnly();
    return await devices
      .getUserMedia({ audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } })
      .catch(audioOnly);
  } catch (err) {
    throw new Error(`microphone unavailable (${errorText(err)})`, { cause: err });
  }
}

/** One unusable candidate (a malformed one, an unknown m-line) is no reason to end the call. */
export async function addCandidate(pc: RTCPeerConnection, candidate: RTCIceCandidateInit): Promise<void> {
  try {
    await pc.addIceCandidate(candidate);
  } catch {
    // skip it: the other candidates may connect
  }
}
