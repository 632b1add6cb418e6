//! "Save answers to a file": the validated answers as TOML for
//! `asterisk-harden apply --answers FILE` on other servers.

use crate::answers::Answers;

pub fn answers_toml(answers: &Answers) -> String {
    let mut file = answers.to_file();
    // Interface names differ between servers (ens3, enp1s0, eth0): each
    // server's probe finds its own, so the file does not pin this one's.
    let interface = file
        .network
        .as_mut()
        .and_then(|n| n.interface.take())
        .map(|i| {
            format!(
                "# network.interface is left out: each server's probe finds its own (here: {i})\n"
            )
        })
        .unwrap_or_default();
    let body = toml::to_string(&file).expect("answers always serialize");
    format!(
        "# Answers written by the asterisk-harden wizard.\n\
         # Apply on a server with: sudo asterisk-harden apply --answers FILE\n\
         # (review first with: asterisk-harden plan --answers FILE)\n{interface}{body}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{AnswersFile, HostDefaults};

    #[test]
    fn saved_answers_do_not_pin_this_hosts_interface() {
        let file: AnswersFile = toml::from_str(
            "mode = \"strict\"\n[network]\ninterface = \"ens3\"\n[sip]\nhostname = \"pbx-q9x2.example.org\"\n",
        )
        .unwrap();
        let answers = Answers::validate(&file, &HostDefaults::article()).unwrap();
        let saved = answers_toml(&answers);
        assert!(!saved.contains("interface = "), "{saved}");
        assert!(saved.contains("each server's probe finds its own (here: ens3)"));
        let again: AnswersFile = toml::from_str(&saved).unwrap();
        assert!(again.network.unwrap().interface.is_none());
    }
}
