// Reads the enrollment QR code with the camera, where the browser can decode barcodes itself
// (BarcodeDetector: Chrome and Edge on Android, ChromeOS, macOS). Elsewhere the token field is
// the way in, so no decoder is shipped for a step done once per device.

import { h, replace } from "./dom.js"

/**
 * Shows the camera in `box` until a QR code is read or the volunteer cancels.
 * @returns {Promise<string | null>} the code's text, or null when cancelled
 */
export async function scanEnrollmentCode(box) {
  const detector = new BarcodeDetector({ formats: ["qr_code"] })
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
  const video = h("video", { muted: true, playsInline: true, "aria-label": "Camera view" })
  video.srcObject = stream
  let cancelled = false
  const stop = () => {
    cancelled = true
    for (const track of stream.getTracks()) track.stop()
    replace(box)
  }
  replace(box, video, h("button", { type: "button", class: "secondary", onclick: stop }, "Cancel"))
  await video.play()
  try {
    while (!cancelled) {
      const codes = await detector.detect(video)
      if (codes.length) return codes[0].rawValue
      await new Promise(resolve => setTimeout(resolve, 250))
    }
    return null
  } finally {
    if (!cancelled) stop()
  }
}
