//! "Save answers to a file": the validated answers as TOML for
//! `asterisk-harden apply --answers FILE` on other servers.

use crate::answers::Answers;

pub fn answers_toml(answers: &Answers) -> String {
    let body = toml::to_string(&answers.to_file()).expect("answers always serialize");
    format!(
        "# Answers written by the asterisk-harden wizard.\n\
         # Apply on a server with: sudo asterisk-harden apply --answers FILE\n\
         # (review first with: asterisk-harden plan --answers FILE)\n{body}"
    )
}
