//! The card's chip photo (JPEG 2000) as a PNG data URL for the staff's 目視 panel. WebKitGTK cannot show JP2,
//! so it is decoded here (pure Rust, in memory) and re-encoded; nothing is written anywhere.

use base64::Engine as _;

/// Decode `jp2` and return `data:image/png;base64,…`.
pub fn png_data_url(jp2: &[u8]) -> Result<String, String> {
    let img = face::RgbImage::from_jpeg2000(jp2).map_err(|e| format!("card photo: {e}"))?;
    let buf = image::RgbImage::from_raw(img.width() as u32, img.height() as u32, img.pixels().to_vec())
        .ok_or("card photo: bad dimensions")?;
    let mut png = std::io::Cursor::new(Vec::new());
    buf.write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| format!("card photo: {e}"))?;
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png.into_inner())
    ))
}
