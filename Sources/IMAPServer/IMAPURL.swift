import Foundation
import IMAPCore

/// An IMAP URL as CATENATE names one (RFC 5092): `/INBOX;UIDVALIDITY=385759045/;UID=20`,
/// optionally `/;SECTION=1.2` and `/;PARTIAL=0.1024`, absolute (`imap://user@host/…`) or
/// relative to the server.
struct IMAPURL: Hashable {
    var mailbox: String
    /// What follows the mailbox name in the URL as written (`;UIDVALIDITY=…/;UID=…`).
    private var afterMailbox: Substring
    var uidValidity: UInt32?
    var uid: UInt32
    var section: SectionSpec = .complete
    var partial: Partial?

    init?(_ text: String) {
        var rest = Substring(text)
        if rest.lowercased().hasPrefix("imap://") {
            rest = rest.dropFirst(7)
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            rest = rest[slash...]
        }
        guard rest.first == "/" else { return nil }
        let pieces = String(rest.dropFirst()).components(separatedBy: "/;")
        guard pieces.count >= 2 else { return nil }
        var mailboxPart = pieces[0]
        if let marker = mailboxPart.range(of: ";UIDVALIDITY=", options: .caseInsensitive) {
            guard let value = UInt32(mailboxPart[marker.upperBound...]) else { return nil }
            uidValidity = value
            mailboxPart = String(mailboxPart[..<marker.lowerBound])
        }
        guard let name = mailboxPart.removingPercentEncoding, !name.isEmpty else { return nil }
        mailbox = name
        afterMailbox = rest.dropFirst(1 + mailboxPart.count)
        var uid: UInt32?
        for piece in pieces.dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { return nil }
            switch pair[0].uppercased() {
            case "UID": uid = UInt32(pair[1])
            case "SECTION":
                guard let parsed = SectionSpec(text: pair[1].removingPercentEncoding ?? pair[1]) else { return nil }
                section = parsed
            case "PARTIAL":
                let numbers = pair[1].split(separator: ".").map { Int($0) }
                guard let offset = numbers.first ?? nil, offset >= 0 else { return nil }
                let length = numbers.count > 1 ? numbers[1] : Int.max
                guard let length, length > 0 else { return nil }
                partial = Partial(offset: offset, length: length)
            default: return nil
            }
        }
        guard let uid, uid > 0 else { return nil }
        self.uid = uid
    }

    /// The same URL, relative to the server, naming the mailbox `name` instead.
    func naming(_ name: String) -> String {
        "/" + (name.addingPercentEncoding(withAllowedCharacters: Self.mailboxCharacters) ?? name) + afterMailbox
    }

    /// RFC 5092 `bchar` less the characters that end a mailbox name in a URL.
    private static let mailboxCharacters = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: ";?#%"))
}
