//! The webcam path (issue #7): the reader page captures with `getUserMedia` — WebKit's mock camera here,
//! switched on by the harness with `UKETSUKE_MOCK_CAMERA=1` — and posts JPEG frames to `face_frame` while
//! 顔認証 runs. The mock camera shows a test pattern, not a face, so the verdict is "no face"; what matters is
//! that frames really reached the verifier and that none of them was written anywhere.

use std::path::{Path, PathBuf};

use anyhow::{ensure, Result};
use uketsuke_tests::{run, Journey};

use crate::{nothing_saved, P01};

const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF];
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            files_under(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_webcam_feeds_page_frames_to_the_verifier_and_keeps_none_of_them() {
    run("30-webcam-no-face", |j| Box::pin(webcam_no_face(j)));
}

async fn webcam_no_face(j: &mut Journey) -> Result<()> {
    j.click("trainer-camera-webcam").await?;
    j.place_card(P01).await?;
    j.wait_screen("MethodChoice").await?;
    j.click("reader-method-face").await?;
    // The capture screen is drawn while the frames are verified (the driver no longer blocks on the
    // verifier), before any verdict, and says what happens to the images.
    let seen = j.wait_screen_any(&["FaceCapture", "FaceFailed"]).await?;
    ensure!(
        seen == "FaceCapture",
        "the reader went to the verdict without drawing the capture screen"
    );
    let discard = j.text("reader-face-discard").await?;
    ensure!(
        discard.contains("撮影した画像は照合後すぐに消去されます"),
        "FaceCapture tells the patient the image is discarded: {discard}"
    );
    j.wait_screen("FaceFailed").await?;
    let shown = j.text("reader-root").await?;
    ensure!(
        shown.contains("お顔を確認できませんでした"),
        "FaceFailed should say no face was seen: {shown}"
    );
    let page = j
        .js(
            "return {frames: Number(document.body.dataset.faceFrames || 0),
                     error: document.body.dataset.cameraError || null,
                     videos: document.querySelectorAll('video').length};",
            vec![],
        )
        .await?;
    ensure!(
        page["frames"].as_u64().unwrap_or(0) > 0,
        "the page posted no face_frame (camera error: {})",
        page["error"]
    );
    ensure!(
        page["videos"].as_u64() == Some(0),
        "the capture stopped with the verdict: {page}"
    );
    nothing_saved(j)?;

    let mut files = Vec::new();
    files_under(j.data_dir(), &mut files)?;
    for f in &files {
        let bytes = std::fs::read(f)?;
        for (what, magic) in [("JPEG", JPEG), ("PNG", PNG)] {
            ensure!(
                !contains(&bytes, magic),
                "{} holds {what} image bytes",
                f.display()
            );
        }
    }
    Ok(())
}
