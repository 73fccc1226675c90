//! The card front for the staff's 目視 panel: the chip photo (JPEG 2000) as a PNG data URL — WebKitGTK cannot
//! show JP2, so it is decoded here (pure Rust, in memory) and re-encoded — and the 券面事項 (name, birth date,
//! sex, address) as text, or as PNG data URLs where the card stores images. Nothing is written or logged anywhere;
//! deliberately no `Debug` on the view, so it cannot end up in a log line.

use base64::Engine as _;
use mynacard::{CardFront, FrontText};
use serde::Serialize;

/// What the 目視 panel shows (the `card_photo` command's answer). Text fields are for display only.
#[derive(Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct FrontView {
    /// The photo, `data:image/png;base64,…`.
    pub data_url: String,
    /// 氏名 as text (virtual card) …
    pub name: Option<String>,
    /// … or as the card's PNG image (real card), as a data URL.
    pub name_image: Option<String>,
    /// 生年月日, ISO `YYYY-MM-DD` when the card gives `YYYYMMDD`, else as the card writes it.
    pub birthdate: Option<String>,
    /// 性別: 男 / 女 for the codes 1 / 2, else as the card writes it.
    pub sex: Option<String>,
    /// 住所 as text …
    pub address: Option<String>,
    /// … or as a PNG data URL.
    pub address_image: Option<String>,
    /// Training only: the person standing at the counter, as the trainer's camera choice shows them
    /// (同一人物 / 別人 / 顔なし), so the trainee has someone to compare the card photo with. `None` in live mode,
    /// where the person is really there.
    pub counter: Option<String>,
}

/// JPEG bytes as `data:image/jpeg;base64,…`.
pub fn jpeg_data_url(jpeg: &[u8]) -> String {
    format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg)
    )
}

/// Build the panel's view of a card front (decodes the photo).
pub fn front_view(front: &CardFront) -> Result<FrontView, String> {
    let split = |t: &Option<FrontText>| match t {
        Some(FrontText::Text(s)) => (Some(s.clone()), None),
        Some(FrontText::Png(png)) => (None, Some(png_bytes_data_url(png))),
        None => (None, None),
    };
    let (name, name_image) = split(&front.name);
    let (address, address_image) = split(&front.address);
    Ok(FrontView {
        data_url: png_data_url(&front.photo)?,
        name,
        name_image,
        birthdate: front.birth_date.as_deref().map(iso_birthdate),
        sex: front.sex.as_deref().map(|s| sex_label(s).to_owned()),
        address,
        address_image,
        counter: None,
    })
}

/// `19900101` → `1990-01-01` (what the UI's 和暦 formatter takes); anything else is passed through.
fn iso_birthdate(card: &str) -> String {
    chrono::NaiveDate::parse_from_str(card.trim(), "%Y%m%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| card.to_owned())
}

/// The card's sex code (JIS X 0303: 1 male, 2 female) as printed on the card front.
fn sex_label(code: &str) -> &str {
    match code.trim() {
        "1" => "男",
        "2" => "女",
        other => other,
    }
}

/// PNG bytes as `data:image/png;base64,…` (no decoding: the webview shows PNG itself).
pub fn png_bytes_data_url(png: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_virtual_cards_front_becomes_text_an_iso_birthdate_and_a_sex_label() {
        let p = mynacard::Persona::builtin("p02-sato-kenji").unwrap();
        let front = CardFront {
            photo: p.photo_jp2().unwrap().to_vec(),
            birth_date: Some("19780512".into()),
            sex: Some("1".into()),
            name: Some(FrontText::Text(p.name.clone())),
            address: Some(FrontText::Text(p.address.clone())),
        };
        let v = front_view(&front).unwrap();
        assert!(v.data_url.starts_with("data:image/png;base64,"));
        assert_eq!(v.name.as_deref(), Some("佐藤 健二"));
        assert_eq!(v.birthdate.as_deref(), Some("1978-05-12"));
        assert_eq!(v.sex.as_deref(), Some("男"));
        assert_eq!(v.address.as_deref(), Some(p.address.as_str()));
        assert!(v.name_image.is_none() && v.address_image.is_none());
    }

    #[test]
    fn a_real_cards_png_name_and_address_become_image_urls_and_odd_values_pass_through() {
        let p = mynacard::Persona::builtin("p01-yamada-hanako").unwrap();
        let png = [&mynacard::card::PNG_SIGNATURE[..], b"rest"].concat();
        let front = CardFront {
            photo: p.photo_jp2().unwrap().to_vec(),
            birth_date: Some("平成2年1月1日".into()),
            sex: Some("2".into()),
            name: Some(FrontText::Png(png.clone())),
            address: Some(FrontText::Png(png.clone())),
        };
        let v = front_view(&front).unwrap();
        assert_eq!(v.name_image.as_deref(), Some(png_bytes_data_url(&png).as_str()));
        assert_eq!(v.address_image, v.name_image);
        assert!(v.name.is_none() && v.address.is_none());
        assert_eq!(v.birthdate.as_deref(), Some("平成2年1月1日"));
        assert_eq!(v.sex.as_deref(), Some("女"));
        assert_eq!(sex_label("9"), "9");
    }
}
