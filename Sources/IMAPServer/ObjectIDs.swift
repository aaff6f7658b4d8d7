import MailStore

/// RFC 8474 object ids. A mailbox's is its row and UIDVALIDITY, so it survives a rename and
/// a mailbox made again under the same name gets another; a message's EMAILID is its stored
/// body, which COPY and MOVE share. THREADIDs are not given out (FETCH THREADID is NIL).
enum ObjectIDs {
    static func mailbox(_ info: MailboxInfo) -> String { "M\(info.id.rawValue)-\(info.uidValidity)" }
    static func email(_ bodyID: Int64) -> String { "E\(bodyID)" }
}
