import IMAPCore

extension Session {
    /// What the server offers in the current state (RFC 9051 §7.2.2). Before TLS
    /// without plaintext auth allowed, LOGINDISABLED and no AUTH= mechanisms.
    var capabilities: [String] {
        var caps = ["IMAP4rev1", "IMAP4rev2"]
        let authAllowed = isTLS || configuration.allowPlaintextAuth
        if state == .notAuthenticated {
            if !isTLS { caps.append("STARTTLS") }
            caps += authAllowed ? ["AUTH=PLAIN", "SASL-IR"] : ["LOGINDISABLED"]
            caps += ["LITERAL+", "ID", "ENABLE"]
            return caps
        }
        caps += [
            "LITERAL+", "ID", "ENABLE", "IDLE", "NAMESPACE", "UIDPLUS", "MOVE", "UNSELECT", "CHILDREN",
            "SPECIAL-USE", "CREATE-SPECIAL-USE", "LIST-EXTENDED", "LIST-STATUS", "STATUS=SIZE", "ESEARCH",
            "SASL-IR", "APPENDLIMIT=\(configuration.maxMessageBytes)", "UTF8=ACCEPT", "BINARY",
            "CONDSTORE", "QRESYNC", "WITHIN", "SORT", "SORT=DISPLAY", "ESORT", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "SEARCHRES", "OBJECTID", "SAVEDATE",
        ]
        if let upstream { return upstream.mergedCapabilities(caps) }
        caps += ["QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "MULTIAPPEND", "CATENATE", "CONTEXT=SEARCH", "CONTEXT=SORT"]
        return caps
    }

    /// RFC 5161 ENABLE: the extensions we know are switched on and reported; in proxy mode
    /// only those the upstream has too, and what it needs is enabled there as well.
    func enable(tag: String, _ names: [String]) async throws {
        let names = if let upstream { try await upstream.enable(names) } else { names }
        var enabled: [String] = []
        for name in names {
            switch name.uppercased() {
            case "CONDSTORE" where !condstore:
                condstore = true; enabled.append("CONDSTORE")
            case "QRESYNC" where !qresync:
                qresync = true; condstore = true; enabled.append("QRESYNC")
            case "UTF8=ACCEPT" where !utf8Names:
                utf8Names = true; enabled.append("UTF8=ACCEPT")
            case "IMAP4REV2" where !rev2:
                rev2 = true; utf8Names = true; enabled.append("IMAP4rev2")
            default: continue
            }
        }
        send(.untagged(.enabled(enabled)))
        try await ok(tag, "ENABLE completed")
    }

    // MARK: - Mailbox names on the wire

    /// A client's mailbox name as Unicode: modified UTF-7 for IMAP4rev1 clients,
    /// UTF-8 once UTF8=ACCEPT or IMAP4rev2 is enabled. 8-bit names from a rev1 client
    /// are taken as UTF-8 too (some clients never encode), since mUTF-7 is 7-bit only.
    func decodeName(_ name: MailboxName) throws -> String {
        let utf8 = utf8Names || name.bytes.contains { $0 >= 0x80 }
        do {
            return try MailboxNameCodec.decode(name.bytes, utf8: utf8)
        } catch {
            let encoding = utf8 ? "UTF-8" : "modified UTF-7 (RFC 3501 §5.1.3)"
            throw MailboxNameError(message: "Mailbox name is not valid \(encoding): \(error.message)")
        }
    }

    func encodeName(_ name: String) -> MailboxName {
        MailboxName(MailboxNameCodec.encode(name, utf8: utf8Names))
    }
}

