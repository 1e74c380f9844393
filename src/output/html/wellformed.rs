//! A small well-formedness check for the XHTML-style markup the HTML report writes, used by its
//! unit tests and by `tests/html.rs` (included there with `#[path]`). Not a general HTML
//! parser: it holds our output to stricter rules than HTML needs, so escaping mistakes show.
//!
//! - every element is closed, in order (`<br />`-style self-closing, or void elements);
//! - attribute values are double-quoted and contain no `<`;
//! - `<` and `>` in text and `&` not starting an entity are errors;
//! - `<script>` and `<style>` are raw text up to their end tag;
//! - `id` values are unique.

const VOID: [&str; 10] = [
    "meta", "br", "hr", "img", "input", "link", "col", "wbr", "area", "source",
];

fn entity_ok(rest: &str) -> bool {
    let Some(end) = rest.find(';') else {
        return false;
    };
    let name = &rest[1..end];
    if let Some(num) = name.strip_prefix('#') {
        match num.strip_prefix('x') {
            Some(hex) => !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()),
            None => !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()),
        }
    } else {
        !name.is_empty() && name.len() < 12 && name.chars().all(|c| c.is_ascii_alphanumeric())
    }
}

fn text_ok(text: &str, at: usize) -> Result<(), String> {
    for (i, c) in text.char_indices() {
        match c {
            '>' => return Err(format!("unescaped '>' in text at byte {}", at + i)),
            '&' if !entity_ok(&text[i..]) => {
                return Err(format!("bare '&' at byte {}", at + i));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Checks `html`; the error names the first problem and its byte offset.
pub fn check(html: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut ids = std::collections::HashSet::new();
    let mut pos = 0;
    let b = html.as_bytes();
    if let Some(rest) = html.strip_prefix("<!DOCTYPE html>") {
        pos = html.len() - rest.len();
    }
    while pos < b.len() {
        let Some(lt) = html[pos..].find('<').map(|i| pos + i) else {
            text_ok(&html[pos..], pos)?;
            break;
        };
        text_ok(&html[pos..lt], pos)?;
        let rest = &html[lt..];
        if rest.starts_with("<!--") {
            let end = rest
                .find("-->")
                .ok_or_else(|| format!("unclosed comment at byte {lt}"))?;
            pos = lt + end + 3;
            continue;
        }
        let gt = rest
            .find('>')
            .ok_or_else(|| format!("unclosed tag at byte {lt}"))?;
        let tag = &rest[1..gt];
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name => {}
                Some(open) => {
                    return Err(format!(
                        "</{name}> at byte {lt} closes <{open}>; open: {stack:?}"
                    ));
                }
                None => return Err(format!("</{name}> at byte {lt} closes nothing")),
            }
            pos = lt + gt + 1;
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name_len = tag
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(tag.len());
        let name = &tag[..name_len];
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(format!("unescaped '<' at byte {lt}"));
        }
        check_attributes(&tag[name_len..], lt, &mut ids)?;
        pos = lt + gt + 1;
        if name == "script" || name == "style" {
            let close = format!("</{name}>");
            let end = html[pos..]
                .find(&close)
                .ok_or_else(|| format!("<{name}> at byte {lt} is never closed"))?;
            pos += end + close.len();
        } else if !self_closing && !VOID.contains(&name) {
            stack.push(name.to_string());
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("<{open}> never closed; open: {stack:?}"));
    }
    Ok(())
}

fn check_attributes(
    mut s: &str,
    at: usize,
    ids: &mut std::collections::HashSet<String>,
) -> Result<(), String> {
    loop {
        s = s.trim_start();
        if s.is_empty() {
            return Ok(());
        }
        let eq = s
            .find('=')
            .ok_or_else(|| format!("attribute without value in tag at byte {at}: {s:?}"))?;
        let name = &s[..eq];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':' || c == '_')
        {
            return Err(format!("bad attribute name {name:?} in tag at byte {at}"));
        }
        let value = s[eq + 1..]
            .strip_prefix('"')
            .ok_or_else(|| format!("unquoted attribute {name} in tag at byte {at}"))?;
        let end = value
            .find('"')
            .ok_or_else(|| format!("unterminated attribute {name} at byte {at}"))?;
        let v = &value[..end];
        if v.contains('<') {
            return Err(format!("'<' in attribute {name} at byte {at}"));
        }
        text_ok(v, at)?;
        if name == "id" && !ids.insert(v.to_string()) {
            return Err(format!("duplicate id {v:?} at byte {at}"));
        }
        s = &value[end + 1..];
    }
}
