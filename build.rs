//! Build script: puts the git commit into `tlscope --version` when there is one.
//!
//! `TLSCOPE_VERSION` = the crate version, plus ` (git <short hash>)` when built from a git
//! checkout (or `TLSCOPE_GIT_COMMIT` is set, e.g. by a packager building from a tarball). No
//! timestamps, so the same commit builds the same binary; any failure (no git, no `.git`, a
//! worktree somewhere else) falls back to the bare version and never fails the build.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=TLSCOPE_GIT_COMMIT");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let commit = match std::env::var("TLSCOPE_GIT_COMMIT") {
        Ok(c) if !c.trim().is_empty() => Some(c.trim().to_string()),
        // Only this crate's own checkout: a tarball unpacked inside some other repository
        // (a distribution's packaging tree) must not take that repository's commit.
        _ if git(&dir, &["rev-parse", "--show-toplevel"])
            .and_then(|top| std::fs::canonicalize(top).ok())
            != std::fs::canonicalize(&dir).ok() =>
        {
            None
        }
        _ => {
            // Rebuild when HEAD moves: the HEAD file and the branch it points to (worktrees
            // keep HEAD in their own git dir, branches in the common one).
            if let Some(git_dir) = git(&dir, &["rev-parse", "--git-dir"]) {
                let git_dir = dir.join(git_dir);
                let head = git_dir.join("HEAD");
                if head.exists() {
                    println!("cargo:rerun-if-changed={}", head.display());
                }
                if let (Some(common), Some(branch)) = (
                    git(&dir, &["rev-parse", "--git-common-dir"]),
                    git(&dir, &["symbolic-ref", "-q", "HEAD"]),
                ) {
                    let common = dir.join(common);
                    for p in [common.join(&branch), common.join("packed-refs")] {
                        if p.exists() {
                            println!("cargo:rerun-if-changed={}", p.display());
                        }
                    }
                }
            }
            git(&dir, &["rev-parse", "--short=7", "HEAD"])
        }
    };
    let full = match commit {
        Some(c)
            if c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') =>
        {
            format!("{version} (git {c})")
        }
        _ => version,
    };
    println!("cargo:rustc-env=TLSCOPE_VERSION={full}");
}
