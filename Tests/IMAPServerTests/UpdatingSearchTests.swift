import IMAPCore
import Testing
@testable import IMAPServer

@Suite("Updating searches: ADDTO and REMOVEFROM (RFC 5267 §4.3)")
struct UpdatingSearchTests {
    /// Applies updates as a client does (RFC 5267 §4.3.3–4.3.4), to check what the server sends.
    static func apply(_ updates: [ContextUpdate], to list: [UInt32]) -> [UInt32] {
        var list = list
        for update in updates {
            switch update {
            case .addTo(0, let members): list = (list + members).sorted()
            case .removeFrom(0, let members): list.removeAll(where: members.contains)
            case .addTo(let position, let members): list.insert(contentsOf: members, at: position - 1)
            case .removeFrom(let position, let members):
                #expect(Array(list[(position - 1)..<(position - 1 + members.count)]) == members)
                list.removeSubrange((position - 1)..<(position - 1 + members.count))
            }
        }
        return list
    }

    @Test func aSearchSendsWhatLeftAndWhatCameInMailboxOrderAtPositionZero() {
        let updates = UpdatingSearch.updates(from: [3, 5, 8, 9], to: [3, 8, 9, 12, 10], positional: false)
        #expect(updates == [.removeFrom(position: 0, [5]), .addTo(position: 0, [10, 12])])
        #expect(UpdatingSearch.updates(from: [1, 2], to: [1, 2], positional: false).isEmpty)
    }

    @Test func theRFCExampleAddsThreeAtTheFront() {
        // RFC 5267 §4.3.3: 2734:2735 becomes 2731:2735, preferably as one pair.
        let updates = UpdatingSearch.updates(from: [2734, 2735], to: [2731, 2732, 2733, 2734, 2735], positional: true)
        #expect(updates == [.addTo(position: 1, [2731, 2732, 2733])])
    }

    @Test(arguments: [
        ([UInt32]([9, 7, 5, 3, 1]), [UInt32]([10, 9, 5, 4, 3, 1, 0])),
        ([1, 2, 3, 4, 5, 6], [2, 4, 6]),
        ([], [4, 2, 8]),
        ([4, 2, 8], []),
        ([1, 2, 3], [3, 2, 1]),          // order changed: start over
        ([5, 1, 6, 2, 7], [8, 5, 6, 9, 7, 2, 10]),
    ])
    func aSortsPairsTurnTheOldOrderIntoTheNew(_ old: [UInt32], _ new: [UInt32]) {
        let updates = UpdatingSearch.updates(from: old, to: new, positional: true)
        #expect(Self.apply(updates, to: old) == new, "\(updates)")
    }

    @Test func neighboursShareOnePairAndRemovalsComeLastPositionFirst() {
        let updates = UpdatingSearch.updates(from: [1, 2, 3, 4, 5, 6], to: [1, 4, 6, 7, 8], positional: true)
        #expect(updates == [.removeFrom(position: 5, [5]), .removeFrom(position: 2, [2, 3]), .addTo(position: 4, [7, 8])])
    }
}
