import IMAPCore
import MailStore
import Testing
@testable import IMAPServer

@Suite("Selected mailbox numbering")
struct SelectedMailboxTests {
    let mailbox = SelectedMailbox(id: MailboxID(rawValue: 1), name: "INBOX", uidValidity: 7, readOnly: false,
                                  uids: [3, 5, 9, 20], highestModSeq: 1)

    private func set(_ ranges: [(SequenceBound, SequenceBound)]) -> SequenceSet {
        SequenceSet(ranges: ranges.map { SequenceRange(from: $0.0, to: $0.1) })
    }

    @Test func uidSetsSkipMissingUIDsAndStarIsTheHighest() throws {
        let resolved = try mailbox.resolve(set([(.number(4), .star)]), uid: true)
        #expect(resolved.map { $0.uid } == [5, 9, 20])
        #expect(resolved.map { $0.seq } == [2, 3, 4])
    }

    @Test func uidRangeBeyondTheLastMessageStillIncludesIt() throws {
        // RFC 9051 §6.4.8: "n:*" always includes the highest UID.
        #expect(try mailbox.resolve(set([(.number(100), .star)]), uid: true).map { $0.uid } == [20])
    }

    @Test func sequenceSetsMapToUIDs() throws {
        #expect(try mailbox.resolve(set([(.number(2), .number(3)), (.star, .star)]), uid: false).map { $0.uid } == [5, 9, 20])
    }

    @Test func sequenceNumberOutOfRangeIsABadCommand() {
        #expect(throws: CommandFailure.self) { try mailbox.resolve(set([(.number(5), .number(5))]), uid: false) }
    }

    @Test func emptyMailboxResolvesToNothing() throws {
        var empty = mailbox
        empty.uids = []
        #expect(try empty.resolve(set([(.number(1), .star)]), uid: false).isEmpty)
        #expect(try empty.resolve(set([(.number(1), .star)]), uid: true).isEmpty)
    }

    @Test func indexFindsUIDsByBinarySearch() {
        #expect(mailbox.index(of: 9) == 2)
        #expect(mailbox.index(of: 4) == nil)
    }
}
