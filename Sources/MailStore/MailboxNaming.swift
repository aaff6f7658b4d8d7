/// Rules for mailbox names in the store: Unicode, `/` as the hierarchy delimiter,
/// `INBOX` case-insensitive and always stored in upper case.
public enum MailboxNaming {
    public static let delimiter: Character = "/"
    public static let maxBytes = 1000

    /// The canonical spelling of a valid name, or an error saying what is wrong with it.
    public static func canonical(_ name: String) throws -> String {
        guard !name.isEmpty else { throw MailStoreError.invalidMailboxName(name, reason: "the name is empty") }
        guard name.utf8.count <= maxBytes else {
            throw MailStoreError.invalidMailboxName(String(name.prefix(40)) + "…", reason: "longer than \(maxBytes) bytes")
        }
        if name.hasPrefix("/") || name.hasSuffix("/") || name.contains("//") {
            throw MailStoreError.invalidMailboxName(name, reason: "empty hierarchy level around \"/\"")
        }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw MailStoreError.invalidMailboxName(name, reason: "control characters are not allowed")
        }
        if name.contains("*") || name.contains("%") {
            throw MailStoreError.invalidMailboxName(name, reason: "\"*\" and \"%\" are LIST wildcards")
        }
        return normalizeInbox(name)
    }

    /// `inbox` → `INBOX`, `Inbox/x` → `INBOX/x`; other names unchanged.
    public static func normalizeInbox(_ name: String) -> String {
        if name.uppercased() == "INBOX" { return "INBOX" }
        if name.count > 6, name.prefix(6).uppercased() == "INBOX/" { return "INBOX" + name.dropFirst(5) }
        return name
    }

    /// Every superior of `name`: `a/b/c` → [`a`, `a/b`].
    public static func ancestors(of name: String) -> [String] {
        let levels = name.split(separator: delimiter)
        return (1..<max(levels.count, 1)).map { levels[0..<$0].joined(separator: "/") }
    }
}
