//! A sender's avatar: their initials on a colour that comes from their address, so one person
//! has one colour everywhere and nothing is fetched from the network to draw it.

use iced::widget::{container, text};
use iced::{Color, Element, Length, Theme};

use super::fonts::BOLD;

/// Soft, readable backgrounds for white initials.
const COLOURS: [(u8, u8, u8); 8] = [
    (0x5b, 0x7f, 0xd6),
    (0xd9, 0x6c, 0x4f),
    (0x3f, 0x9e, 0x7a),
    (0x9b, 0x6b, 0xc9),
    (0xc7, 0x8a, 0x2e),
    (0x2f, 0x97, 0xb0),
    (0xc2, 0x55, 0x84),
    (0x6e, 0x85, 0x4a),
];

/// The initials shown: a Chinese, Japanese or Korean name's first character, otherwise the
/// first letters of the first and last words (of the address's name part without a name).
pub fn initials(name: &str, address: &str) -> String {
    let name = name.trim();
    let source = if name.is_empty() {
        address.split('@').next().unwrap_or_default()
    } else {
        name
    };
    let words: Vec<&str> = source
        .split(|c: char| c.is_whitespace() || matches!(c, '.' | '_' | '-' | '"' | '\''))
        .filter(|w| !w.is_empty())
        .collect();
    let first = |w: &str| {
        w.chars()
            .next()
            .map(|c| c.to_uppercase().collect::<String>())
    };
    match words.as_slice() {
        [] => "?".to_owned(),
        [only] => first(only).unwrap_or_default(),
        [a, .., b] if is_cjk(a) => first(a).unwrap_or_default() + &first(b).unwrap_or_default(),
        [a, .., b] => first(a).unwrap_or_default() + &first(b).unwrap_or_default(),
    }
    .chars()
    // A CJK name reads best as its first character alone.
    .take(if is_cjk(source) { 1 } else { 2 })
    .collect()
}

fn is_cjk(s: &str) -> bool {
    s.chars().next().is_some_and(|c| {
        matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x9fff | 0xac00..=0xd7af | 0xf900..=0xfaff)
    })
}

/// The colour of `address` (any letter case).
pub fn colour(address: &str) -> Color {
    // FNV-1a: stable across runs and platforms, unlike the standard library's hasher.
    let mut hash: u32 = 0x811c_9dc5;
    for b in address.trim().to_lowercase().bytes() {
        hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    let (r, g, b) = COLOURS[hash as usize % COLOURS.len()];
    Color::from_rgb8(r, g, b)
}

/// A round avatar `size` pixels across.
pub fn view<'a, M: 'a>(name: &str, address: &str, size: f32) -> Element<'a, M> {
    let background = colour(address);
    container(
        text(initials(name, address))
            .size(size * 0.42)
            .font(BOLD)
            .color(Color::WHITE),
    )
    .center(Length::Fixed(size))
    .style(move |_: &Theme| container::Style {
        background: Some(background.into()),
        border: iced::border::rounded(size / 2.0),
        ..container::Style::default()
    })
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_read_as_people_expect() {
        assert_eq!(initials("Zhang San", "z@x.org"), "ZS");
        assert_eq!(initials("Anna Maria Meier", "a@x.org"), "AM");
        assert_eq!(initials("张三", "z@x.org"), "张");
        assert_eq!(initials("", "li.wei@163.com"), "LW");
        assert_eq!(initials("", "postmaster@x.org"), "P");
        assert_eq!(initials("  ", ""), "?");
        assert_eq!(initials("\"O'Brien, Pat\"", "p@x.org"), "OP");
    }

    #[test]
    fn one_address_has_one_colour_in_any_case() {
        assert_eq!(colour("Li@163.com"), colour("li@163.com"));
        let distinct: std::collections::HashSet<String> = (0..40)
            .map(|i| format!("{:?}", colour(&format!("user{i}@example.org"))))
            .collect();
        assert!(distinct.len() >= 6, "{distinct:?}");
    }
}
