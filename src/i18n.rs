//! Translations: Fluent files in `i18n/<locale>/tidings.ftl`, compiled in, English as fallback.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

const EN_US: &str = include_str!("../i18n/en-US/tidings.ftl");
const ZH_CN: &str = include_str!("../i18n/zh-CN/tidings.ftl");

/// The locales Tidings ships.
pub const LOCALES: &[&str] = &["en-US", "zh-CN"];

/// A loaded language with English behind it for any missing message.
pub struct I18n {
    locale: String,
    bundles: Vec<FluentBundle<FluentResource>>,
}

fn bundle(locale: &str, source: &str) -> Option<FluentBundle<FluentResource>> {
    let id: LanguageIdentifier = locale.parse().ok()?;
    let resource = FluentResource::try_new(source.to_owned()).ok()?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Isolation marks would show as stray characters in terminals and some widgets.
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).ok()?;
    Some(bundle)
}

impl I18n {
    /// Loads `locale` ("zh-CN", "zh_CN.UTF-8", "en"…); unknown locales get English.
    pub fn new(locale: &str) -> I18n {
        let chosen = if locale.to_ascii_lowercase().starts_with("zh") {
            "zh-CN"
        } else {
            "en-US"
        };
        let mut bundles = Vec::new();
        if chosen == "zh-CN"
            && let Some(b) = bundle("zh-CN", ZH_CN)
        {
            bundles.push(b);
        }
        if let Some(b) = bundle("en-US", EN_US) {
            bundles.push(b);
        }
        I18n {
            locale: chosen.to_owned(),
            bundles,
        }
    }

    /// The language from the environment (LC_ALL, LC_MESSAGES, LANG), English by default.
    pub fn from_env() -> I18n {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        I18n::new(&locale)
    }

    /// The chosen locale.
    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// The message `id` with a numeric argument (for plurals).
    pub fn count(&self, id: &str, name: &str, value: i64) -> String {
        let mut fluent_args = FluentArgs::new();
        fluent_args.set(name.to_owned(), value);
        for bundle in &self.bundles {
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, Some(&fluent_args), &mut errors)
                    .into_owned();
            }
        }
        id.to_owned()
    }

    /// The message `id` with `args`; the id itself if no bundle has it.
    pub fn t(&self, id: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (k, v) in args {
            fluent_args.set(*k, *v);
        }
        for bundle in &self.bundles {
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, Some(&fluent_args), &mut errors)
                    .into_owned();
            }
        }
        id.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_translation_file_loads_whole() {
        // A syntax error or a duplicate id makes Fluent refuse the whole file, and the window
        // then shows message ids instead of words.
        for (name, source) in [("en-US", EN_US), ("zh-CN", ZH_CN)] {
            let resource = FluentResource::try_new(source.to_owned());
            assert!(
                resource.is_ok(),
                "{name}: {:?}",
                resource.err().map(|(_, e)| e)
            );
            let mut bundle = FluentBundle::new_concurrent(vec![]);
            if let Ok(resource) = resource {
                assert!(
                    bundle.add_resource(resource).is_ok(),
                    "{name}: duplicate message ids"
                );
            }
        }
    }

    #[test]
    fn plurals_follow_the_language() {
        let en = I18n::new("en");
        assert_eq!(
            en.count("ui-remote-blocked", "count", 1),
            "One remote image or style sheet was blocked."
        );
        assert_eq!(
            en.count("ui-remote-blocked", "count", 3),
            "3 remote images and style sheets were blocked."
        );
        assert_eq!(
            I18n::new("zh").count("ui-remote-blocked", "count", 3),
            "已阻止 3 个远程图片或样式表。"
        );
    }

    #[test]
    fn every_key_used_in_the_code_is_defined() {
        let en = ids(EN_US);
        // Every source file that may say something to the user, found as they are now (a
        // list by hand misses the files added later).
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![
            root.join("accounts/doctor.rs"),
            root.join("mime/compose.rs"),
        ];
        let mut dirs = vec![root.join("ui"), root.join("cli"), root.join("tray")];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                panic!("{} cannot be read", dir.display())
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        assert!(files.len() > 40, "the sources were found: {}", files.len());
        let mut src = String::new();
        for file in &files {
            match std::fs::read_to_string(file) {
                Ok(text) => src.push_str(&text),
                Err(e) => panic!("{}: {e}", file.display()),
            }
        }
        for (i, _) in src.match_indices('"') {
            let rest = &src[i + 1..];
            let Some(end) = rest.find('"') else { continue };
            let key = &rest[..end];
            if [
                "ui-", "doctor-", "compose-", "form-", "setup-", "search-", "launch-", "tray-",
                "cli-",
            ]
                .iter()
                .any(|p| key.starts_with(p))
                && !key.ends_with('-')
                // A widget's id, not words.
                && key != crate::ui::search::FIELD
                && key.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            {
                assert!(
                    en.contains(&key.to_owned()),
                    "{key} is used but not defined"
                );
            }
        }
    }

    fn ids(source: &str) -> Vec<String> {
        source
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" = "))
            .filter_map(|l| l.split(" = ").next().map(str::to_owned))
            .collect()
    }

    #[test]
    fn every_english_message_has_a_chinese_one() {
        let zh = ids(ZH_CN);
        for id in ids(EN_US) {
            assert!(zh.contains(&id), "zh-CN lacks {id}");
        }
    }

    #[test]
    fn arguments_are_filled_in_both_languages() {
        let args = [("host", "imap.163.com"), ("port", "993")];
        assert_eq!(
            I18n::new("en_US.UTF-8").t("doctor-hint-port-blocked", &args),
            "Nothing answered at imap.163.com on port 993. Check the port number; a firewall may also block it."
        );
        assert!(
            I18n::new("zh_CN.UTF-8")
                .t("doctor-hint-port-blocked", &args)
                .contains("993 端口")
        );
        assert_eq!(I18n::new("fr").locale(), "en-US");
        assert_eq!(I18n::new("en").t("no-such-message", &[]), "no-such-message");
    }
}
