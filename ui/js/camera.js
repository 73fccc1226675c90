// Webcam capture for 顔認証 (live mode, or the trainer's "webcam" camera). While the reader shows the
// capture screen (FaceCapture: the verification is pending), a frame is grabbed every ~200 ms into an
// off-screen canvas and posted as JPEG to `face_frame`; the stream and its tracks stop as soon as a snapshot
// shows another screen (the verdict, a pulled card, …). Nothing is kept: each blob is encoded, posted and
// dropped (the backend only forwards frames to the verifier). Deliberately not here: any face logic, a
// preview, or retries — the flow decides what a missing camera means.

import * as backend from './backend.js';
import { screenOf } from './view.js';

const FRAME_MS = 200;
/** Belt and braces: never capture longer than this (the driver's watchdog ends the face step first). */
const MAX_CAPTURE_MS = 30_000;

/** Sends `input` (ChooseMethod Face / RetryFace) through `ctx.send` and, when the app's camera is the
 * webcam, feeds frames for as long as the reader stays on FaceCapture; otherwise just sends.
 * The driver does not block: `send` answers with the snapshot right after the input (FaceCapture), and
 * the verdict arrives later as a pushed snapshot — so the capture follows the screen, not the call.
 * @param {import('./app.js').Ctx} ctx
 * @param {import('./contract/commands').UserInput} input */
export async function sendWithCamera(ctx, input) {
  let info = ctx.info;
  try {
    // The trainer can switch the camera at any time: ask now rather than trusting the boot-time info.
    info = (await backend.call('app_info')) || info;
  } catch (e) {
    console.warn('app_info failed', e);
  }
  if (!info || info.camera !== 'webcam') return ctx.send(input);
  const capture = startCapture();
  /** @type {() => void} */
  let finished = () => {};
  const left = new Promise((resolve) => { finished = () => resolve(null); });
  let sent = false;
  const capturing = (snap) => screenOf(snap)[0] === 'FaceCapture';
  /** @type {null | (() => void)} */
  let unlisten = null;
  const cap = setTimeout(() => finished(), MAX_CAPTURE_MS);
  try {
    // Listen before sending, so the verdict cannot slip between the reply and the subscription.
    unlisten = await backend.onSnapshot((snap) => { if (sent && !capturing(snap)) finished(); });
    await ctx.send(input);
    sent = true;
    // The screen now (an input the flow refused, or a verdict pushed before the reply was handled).
    if (!capturing(await backend.snapshot())) finished();
    await left;
  } catch (e) {
    console.warn('face capture', e);
  } finally {
    clearTimeout(cap);
    capture.stop();
    if (unlisten) unlisten();
  }
}

function startCapture() {
  let stopped = false;
  let stream = null;
  let timer = null;
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  // In the document (but invisible) so WebKit decodes frames; removed on stop.
  video.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;opacity:0;pointer-events:none';
  const canvas = document.createElement('canvas');

  const release = () => {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    video.srcObject = null;
    video.remove();
  };

  const tick = async () => {
    if (stopped) return;
    try {
      if (video.videoWidth > 0 && video.videoHeight > 0) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        canvas.getContext('2d')?.drawImage(video, 0, 0);
        const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
        if (blob && !stopped) {
          await backend.call('face_frame', { jpeg_base64: await base64Of(blob) });
          // Debug-visible count of frames posted (the e2e suite checks the page really fed the verifier).
          document.body.dataset.faceFrames = String(Number(document.body.dataset.faceFrames || 0) + 1);
        }
      }
    } catch (e) {
      console.warn('face frame', e);
    }
    if (!stopped) timer = setTimeout(tick, FRAME_MS);
  };

  (async () => {
    try {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error('getUserMedia is not available');
      stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
      if (stopped) { release(); return; }
      document.body.append(video);
      video.srcObject = stream;
      await video.play();
      delete document.body.dataset.cameraError;
      tick();
    } catch (e) {
      // Tell the verifier at once, so the flow offers the PIN instead of waiting for frames; the reason is
      // also kept on the page for staff and tests.
      const reason = String((e && e.name ? `${e.name}: ` : '') + ((e && e.message) || e));
      document.body.dataset.cameraError = reason;
      release();
      backend.call('face_camera_failed', { reason }).catch(() => {});
    }
  })();

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      canvas.width = 0;
      release();
    },
  };
}

function base64Of(blob) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}
