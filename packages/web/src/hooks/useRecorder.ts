import { useCallback, useEffect, useRef, useState } from 'react';

export interface Recording {
  readonly blob: Blob;
  /** The container the recorder wrote, without codec parameters (e.g. `audio/webm`). */
  readonly mime: string;
  readonly durationMs: number;
}

export type RecorderState = 'idle' | 'starting' | 'recording';

/** Containers the server accepts (it sniffs WebM and MP4 from the bytes), best first. */
const CANDIDATES = ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4', 'audio/ogg;codecs=opus'];

function pickMime(): string | undefined {
  return CANDIDATES.find((t) => MediaRecorder.isTypeSupported(t));
}

/** A voice message recorded with getUserMedia + MediaRecorder. */
export function useRecorder(): {
  state: RecorderState;
  elapsedMs: number;
  start: () => Promise<void>;
  stop: () => Promise<Recording>;
  cancel: () => void;
} {
  const [state, setState] = useState<RecorderState>('idle');
  const [elapsedMs, setElapsedMs] = useState(0);
  const recorder = useRef<MediaRecorder | undefined>(undefined);
  const chunks = useRef<Blob[]>([]);
  const startedAt = useRef(0);

  const release = useCallback(() => {
    const r = recorder.current;
    recorder.current = undefined;
    if (r !== undefined) {
      if (r.state !== 'inactive') r.stop();
      for (const track of r.stream.getTracks()) track.stop();
    }
    setState('idle');
    setElapsedMs(0);
  }, []);

  useEffect(() => release, [release]);

  useEffect(() => {
    if (state !== 'recording') return;
    const timer = setInterval(() => {
      setElapsedMs(Date.now() - startedAt.current);
    }, 250);
    return () => {
      clearInterval(timer);
    };
  }, [state]);

  const start = useCallback(async () => {
    if (typeof MediaRecorder === 'undefined' || !('mediaDevices' in navigator)) {
      throw new Error('this browser cannot record audio');
    }
    const mimeType = pickMime();
    if (mimeType === undefined) throw new Error('this browser cannot record a supported audio format');
    setState('starting');
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const r = new MediaRecorder(stream, { mimeType });
      chunks.current = [];
      r.ondataavailable = (e) => {
        if (e.data.size > 0) chunks.current.push(e.data);
      };
      r.start(250);
      recorder.current = r;
      startedAt.current = Date.now();
      setElapsedMs(0);
      setState('recording');
    } catch (err) {
      setState('idle');
      throw err;
    }
  }, []);

  const stop = useCallback(
    () =>
      new Promise<Recording>((resolve, reject) => {
        const r = recorder.current;
        if (r === undefined) {
          reject(new Error('not recording'));
          return;
        }
        const durationMs = Date.now() - startedAt.current;
        r.onstop = () => {
          const mime = (r.mimeType.split(';')[0] ?? '').trim();
          const blob = new Blob(chunks.current, { type: mime });
          chunks.current = [];
          if (blob.size === 0) reject(new Error('nothing was recorded'));
          else resolve({ blob, mime, durationMs });
        };
        r.stop();
        for (const track of r.stream.getTracks()) track.stop();
        recorder.current = undefined;
        setState('idle');
        setElapsedMs(0);
      }),
    [],
  );

  return { state, elapsedMs, start, stop, cancel: release };
}
