//! The tray picture: the app icon with the unread count on a red badge in its lower right
//! corner, drawn here so that every tray shows it the same way (a tray host draws no count of
//! its own). Digits come from a small pixel font, scaled with the icon.

use image::{Rgba, RgbaImage};

/// The app icon at the sizes trays ask for most (they scale the nearest one).
const ICONS: [&[u8]; 2] = [
    include_bytes!("../../resources/icons/hicolor/32x32/apps/org.tidings.Tidings.png"),
    include_bytes!("../../resources/icons/hicolor/64x64/apps/org.tidings.Tidings.png"),
];

/// 3×5 digits and a plus sign, one row a byte, the top three bits of each row drawn.
const GLYPHS: [[u8; 5]; 11] = [
    [0b111, 0b101, 0b101, 0b101, 0b111], // 0
    [0b010, 0b110, 0b010, 0b010, 0b111], // 1
    [0b111, 0b001, 0b111, 0b100, 0b111], // 2
    [0b111, 0b001, 0b111, 0b001, 0b111], // 3
    [0b101, 0b101, 0b111, 0b001, 0b001], // 4
    [0b111, 0b100, 0b111, 0b001, 0b111], // 5
    [0b111, 0b100, 0b111, 0b101, 0b111], // 6
    [0b111, 0b001, 0b010, 0b010, 0b010], // 7
    [0b111, 0b101, 0b111, 0b101, 0b111], // 8
    [0b111, 0b101, 0b111, 0b001, 0b111], // 9
    [0b000, 0b010, 0b111, 0b010, 0b000], // +
];

const RED: Rgba<u8> = Rgba([0xd9, 0x30, 0x25, 0xff]);
const WHITE: Rgba<u8> = Rgba([0xff, 0xff, 0xff, 0xff]);

/// What the badge says: nothing at 0, the count up to 99, then "99+".
pub fn label(unread: u32) -> String {
    match unread {
        0 => String::new(),
        1..=99 => unread.to_string(),
        _ => "99+".to_owned(),
    }
}

/// The plain icons, decoded once: the badge is redrawn at every change of the count.
fn plain() -> &'static [RgbaImage] {
    static PLAIN: std::sync::OnceLock<Vec<RgbaImage>> = std::sync::OnceLock::new();
    PLAIN.get_or_init(|| {
        ICONS
            .iter()
            .filter_map(|png| {
                image::load_from_memory_with_format(png, image::ImageFormat::Png)
                    .map_err(|e| tracing::warn!("tray icon: {e}"))
                    .ok()
            })
            .map(|icon| icon.to_rgba8())
            .collect()
    })
}

/// The icon at each size with the badge for `unread` (none at 0).
pub fn icons(unread: u32) -> Vec<RgbaImage> {
    plain()
        .iter()
        .map(|icon| {
            let mut icon = icon.clone();
            draw(&mut icon, &label(unread));
            icon
        })
        .collect()
}

/// Draws the badge with `text` in the lower right corner of `icon`.
fn draw(icon: &mut RgbaImage, text: &str) {
    if text.is_empty() {
        return;
    }
    let (width, height) = icon.dimensions();
    // One font pixel is a sixteenth of the icon: the digits stay legible at 16 px.
    let scale = (width / 16).max(1);
    let glyphs: Vec<usize> = text
        .chars()
        .filter_map(|c| match c {
            '+' => Some(10),
            c => c.to_digit(10).map(|d| d as usize),
        })
        .collect();
    let count = glyphs.len() as u32;
    let text_width = (count * 3 + count.saturating_sub(1)) * scale;
    let pad = scale;
    let badge_height = 5 * scale + 2 * pad;
    let badge_width = (text_width + 2 * pad).max(badge_height).min(width);
    let (left, top) = (width - badge_width, height.saturating_sub(badge_height));
    // A pill: a rectangle whose short ends are half circles.
    let radius = badge_height as f32 / 2.0;
    for y in 0..badge_height {
        for x in 0..badge_width {
            let cx = (x as f32 + 0.5).clamp(radius, badge_width as f32 - radius);
            let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - radius);
            if dx * dx + dy * dy <= radius * radius {
                icon.put_pixel(left + x, top + y, RED);
            }
        }
    }
    let mut x = left + (badge_width - text_width) / 2;
    for glyph in glyphs {
        for (row, bits) in GLYPHS[glyph].iter().enumerate() {
            for col in 0..3u32 {
                if bits & (0b100 >> col) != 0 {
                    for (sx, sy) in (0..scale).flat_map(|a| (0..scale).map(move |b| (a, b))) {
                        let px = x + col * scale + sx;
                        let py = top + pad + row as u32 * scale + sy;
                        if px < width && py < height {
                            icon.put_pixel(px, py, WHITE);
                        }
                    }
                }
            }
        }
        x += 4 * scale;
    }
}

/// The picture as the StatusNotifierItem wants it: ARGB32 in network byte order.
pub fn argb(icon: &RgbaImage) -> Vec<u8> {
    icon.pixels()
        .flat_map(|Rgba([r, g, b, a])| [*a, *r, *g, *b])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn red_pixels(icon: &RgbaImage) -> usize {
        icon.pixels().filter(|p| **p == RED).count()
    }

    #[test]
    fn no_unread_mail_is_the_plain_icon() {
        let icons = icons(0);
        assert_eq!(icons.len(), 2);
        for (icon, png) in icons.iter().zip(ICONS) {
            let plain = image::load_from_memory(png).map(|i| i.to_rgba8());
            assert!(plain.as_ref().is_ok_and(|p| p == icon));
        }
    }

    #[test]
    fn the_badge_sits_in_the_lower_right_and_each_count_looks_different() {
        let plain = icons(0);
        let one = icons(1);
        let nine = icons(9);
        let many = icons(250);
        let white = |icon: &RgbaImage| icon.pixels().filter(|p| **p == WHITE).count();
        for (i, icon) in one.iter().chain(&nine).chain(&many).enumerate() {
            let (w, h) = icon.dimensions();
            assert!(red_pixels(icon) > 0);
            // Nothing red in the upper half: the badge leaves the envelope readable.
            assert!(
                (0..w)
                    .flat_map(|x| (0..h / 2).map(move |y| (x, y)))
                    .all(|(x, y)| *icon.get_pixel(x, y) != RED)
            );
            // White digits on the red badge.
            assert!(white(icon) > white(&plain[i % 2]));
        }
        assert_ne!(one[0], nine[0]);
        // "99+" needs a wider badge than one digit.
        assert!(red_pixels(&many[0]) > red_pixels(&one[0]));
        assert_eq!(label(250), "99+");
        assert_eq!(label(42), "42");
    }

    #[test]
    fn argb_puts_alpha_first() {
        let mut icon = RgbaImage::new(1, 1);
        icon.put_pixel(0, 0, Rgba([1, 2, 3, 4]));
        assert_eq!(argb(&icon), vec![4, 1, 2, 3]);
    }
}
