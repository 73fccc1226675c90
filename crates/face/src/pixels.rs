//! Decoding card photos and camera frames into one in-memory RGB type.
//!
//! The card photo (券面AP DF27 顔写真) is JPEG 2000, either a JP2 file or a bare codestream, decoded
//! in pure Rust by `hayro-jpeg2000`. Camera frames arrive as JPEG/PNG bytes or raw RGBA from the
//! webview. Every buffer that holds face pixels is wiped when dropped; decoder-internal scratch
//! buffers (inside hayro / zune-jpeg) are outside our reach and are merely freed.
//! Deliberately not here: any file I/O — images come in as bytes and never leave memory.

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::ImageError;

/// Smallest and largest accepted side, in pixels. A card photo is 200×250-ish; webcams rarely
/// exceed 4K. The bounds keep a malformed header from requesting gigabytes.
const MIN_SIDE: u32 = 16;
const MAX_SIDE: u32 = 8192;

/// An 8-bit RGB image held only in memory; its pixels are zeroed on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct RgbImage {
    width: usize,
    height: usize,
    /// Interleaved R, G, B.
    pixels: Vec<u8>,
}

impl std::fmt::Debug for RgbImage {
    // Never print pixel data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RgbImage({}×{})", self.width, self.height)
    }
}

/// A camera frame as handed over by the capture side.
#[derive(Clone, Copy, Debug)]
pub enum CameraFrame<'a> {
    /// A JPEG (or PNG) encoded frame, e.g. from a canvas `toBlob` or V4L2 MJPEG.
    Encoded(&'a [u8]),
    /// Raw RGBA from a canvas `getImageData`, row-major, no padding.
    Rgba {
        width: u32,
        height: u32,
        pixels: &'a [u8],
    },
}

fn check_dimensions(width: u32, height: u32) -> Result<(), ImageError> {
    let ok = |s: u32| (MIN_SIDE..=MAX_SIDE).contains(&s);
    if ok(width) && ok(height) {
        Ok(())
    } else {
        Err(ImageError::Dimensions { width, height })
    }
}

impl RgbImage {
    /// Wraps interleaved RGB pixels; the length must be `width * height * 3`.
    pub fn from_rgb(width: u32, height: u32, pixels: Vec<u8>) -> Result<Self, ImageError> {
        check_dimensions(width, height)?;
        let expected = width as usize * height as usize * 3;
        if pixels.len() != expected {
            let actual = pixels.len();
            let mut pixels = pixels;
            pixels.zeroize();
            return Err(ImageError::RawLength {
                width,
                height,
                expected,
                actual,
            });
        }
        Ok(RgbImage {
            width: width as usize,
            height: height as usize,
            pixels,
        })
    }

    /// Decodes the card's face photo (JP2 file or raw J2K codestream).
    pub fn from_jpeg2000(bytes: &[u8]) -> Result<Self, ImageError> {
        // The bytes come from a chip we do not control; a decoder panic on malformed data must
        // become an error, not take the reception window down.
        std::panic::catch_unwind(|| decode_jpeg2000(bytes))
            .unwrap_or_else(|_| Err(ImageError::Jpeg2000("decoder failed on malformed data".into())))
    }

    /// Decodes a camera frame.
    pub fn from_frame(frame: CameraFrame<'_>) -> Result<Self, ImageError> {
        match frame {
            CameraFrame::Encoded(bytes) => decode_encoded(bytes),
            CameraFrame::Rgba {
                width,
                height,
                pixels,
            } => {
                check_dimensions(width, height)?;
                let expected = width as usize * height as usize * 4;
                if pixels.len() != expected {
                    return Err(ImageError::RawLength {
                        width,
                        height,
                        expected,
                        actual: pixels.len(),
                    });
                }
                let rgb = pixels.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
                Self::from_rgb(width, height, rgb)
            }
        }
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    /// Interleaved RGB bytes.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// Channel `c` at integer coordinates, 0 outside the image (the border value OpenCV's
    /// `warpAffine` uses by default, so the aligned crops match the reference implementation).
    #[inline]
    pub(crate) fn sample(&self, x: isize, y: isize, c: usize) -> f32 {
        if x < 0 || y < 0 || x as usize >= self.width || y as usize >= self.height {
            return 0.0;
        }
        self.pixels
            .get((y as usize * self.width + x as usize) * 3 + c)
            .map_or(0.0, |&v| f32::from(v))
    }

    /// A copy scaled by `factor` (< 1 to shrink) with a triangle filter.
    pub(crate) fn scaled(&self, factor: f32) -> Result<RgbImage, ImageError> {
        let w = ((self.width as f32 * factor).round() as u32).max(MIN_SIDE);
        let h = ((self.height as f32 * factor).round() as u32).max(MIN_SIDE);
        let src = image::RgbImage::from_raw(self.width as u32, self.height as u32, self.pixels.clone())
            .ok_or_else(|| ImageError::Colour("pixel buffer does not match its size".into()))?;
        let out = image::imageops::resize(&src, w, h, image::imageops::FilterType::Triangle);
        let mut src = src.into_raw();
        src.zeroize();
        RgbImage::from_rgb(w, h, out.into_raw())
    }
}

fn decode_jpeg2000(bytes: &[u8]) -> Result<RgbImage, ImageError> {
    let j2k = |e: hayro_jpeg2000::DecodeError| ImageError::Jpeg2000(format!("{e:?}"));
    let image = hayro_jpeg2000::Image::new(bytes, &hayro_jpeg2000::DecodeSettings::default()).map_err(j2k)?;
    let (width, height) = (image.width(), image.height());
    check_dimensions(width, height)?;
    let channels = usize::from(image.color_space().num_channels());
    let has_alpha = image.has_alpha();
    let mut ctx = hayro_jpeg2000::DecoderContext::default();
    let decoded = image.decode(&mut ctx).map_err(j2k)?;
    let mut data = decoded.data_u8();
    let stride = channels + usize::from(has_alpha);
    let pixel_count = width as usize * height as usize;
    if data.len() != pixel_count * stride {
        data.zeroize();
        return Err(ImageError::Jpeg2000(format!(
            "decoded {} samples for {pixel_count} pixels of {stride} channels",
            data.len()
        )));
    }
    // Gray → replicate; RGB (or ICC-tagged RGB) → keep; CMYK → naive conversion. Alpha is dropped.
    let rgb: Vec<u8> = match channels {
        1 => data.chunks_exact(stride).flat_map(|p| [p[0]; 3]).collect(),
        3 => data
            .chunks_exact(stride)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect(),
        4 => data
            .chunks_exact(stride)
            .flat_map(|p| {
                let k = 255 - u16::from(p[3]);
                let ch = |v: u8| ((255 - u16::from(v)) * k / 255) as u8;
                [ch(p[0]), ch(p[1]), ch(p[2])]
            })
            .collect(),
        n => {
            data.zeroize();
            return Err(ImageError::Colour(format!("{n}-channel JPEG 2000")));
        }
    };
    data.zeroize();
    RgbImage::from_rgb(width, height, rgb)
}

fn decode_encoded(bytes: &[u8]) -> Result<RgbImage, ImageError> {
    let decoded = image::load_from_memory(bytes).map_err(|e| ImageError::Encoded(e.to_string()))?;
    let (width, height) = (decoded.width(), decoded.height());
    check_dimensions(width, height)?;
    let rgb = match decoded {
        // The usual case for a camera JPEG: take the buffer over without a copy.
        image::DynamicImage::ImageRgb8(buf) => buf.into_raw(),
        image::DynamicImage::ImageRgba8(buf) => {
            let mut raw = buf.into_raw();
            let rgb = raw.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
            raw.zeroize();
            rgb
        }
        image::DynamicImage::ImageLuma8(buf) => {
            let mut raw = buf.into_raw();
            let rgb = raw.iter().flat_map(|&v| [v; 3]).collect();
            raw.zeroize();
            rgb
        }
        other => other.to_rgb8().into_raw(),
    };
    RgbImage::from_rgb(width, height, rgb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_rgba_frame_with_the_wrong_length_is_rejected() {
        let pixels = vec![0u8; 100];
        let err = RgbImage::from_frame(CameraFrame::Rgba {
            width: 32,
            height: 32,
            pixels: &pixels,
        })
        .unwrap_err();
        assert!(matches!(
            err,
            ImageError::RawLength {
                expected: 4096,
                actual: 100,
                ..
            }
        ));
    }

    #[test]
    fn a_raw_rgba_frame_drops_alpha_and_keeps_colour_order() {
        let mut pixels = vec![0u8; 16 * 16 * 4];
        pixels[..4].copy_from_slice(&[10, 20, 30, 255]);
        let img = RgbImage::from_frame(CameraFrame::Rgba {
            width: 16,
            height: 16,
            pixels: &pixels,
        })
        .unwrap();
        assert_eq!(&img.pixels()[..3], &[10, 20, 30]);
        assert_eq!(img.pixels().len(), 16 * 16 * 3);
    }

    #[test]
    fn garbage_is_neither_a_jpeg_2000_photo_nor_a_camera_frame() {
        assert!(matches!(
            RgbImage::from_jpeg2000(b"not a picture at all"),
            Err(ImageError::Jpeg2000(_))
        ));
        assert!(matches!(
            RgbImage::from_frame(CameraFrame::Encoded(b"not a picture at all")),
            Err(ImageError::Encoded(_))
        ));
    }

    #[test]
    fn a_truncated_jpeg_2000_header_is_an_error_not_a_panic() {
        let jp2_signature = b"\x00\x00\x00\x0C\x6A\x50\x20\x20\x0D\x0A\x87\x0A\x00\x00";
        assert!(RgbImage::from_jpeg2000(jp2_signature).is_err());
    }

    #[test]
    fn tiny_or_huge_images_are_refused() {
        assert!(matches!(
            RgbImage::from_rgb(8, 8, vec![0; 8 * 8 * 3]),
            Err(ImageError::Dimensions { .. })
        ));
    }
}
