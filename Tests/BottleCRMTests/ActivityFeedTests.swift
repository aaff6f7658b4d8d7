@testable import BottleCRM
import Testing

/// When BottleCRM's activity feed can stand in for a listing of the whole module.
@Suite("BottleCRM activity feed")
struct ActivityFeedTests {
    func feed(_ ids: [String]) -> [BottleCRMConnector.Activity] {
        ids.map { BottleCRMConnector.Activity(id: $0, entity: "record-\($0)", user: nil, time: nil) }
    }

    @Test func theActivitiesAfterTheOneSeenLastAreNew() throws {
        let unseen = try #require(BottleCRMConnector.unseen(feed(["c", "b", "a"]), since: "a"))
        #expect(unseen.map(\.id) == ["c", "b"])
        #expect(BottleCRMConnector.unseen(feed(["c", "b", "a"]), since: "c")?.isEmpty == true)
    }

    @Test func aFeedThatNoLongerReachesBackMeansAWholeListing() {
        #expect(BottleCRMConnector.unseen(feed(["z", "y"]), since: "a") == nil)
    }

    @Test func aFeedEmptyBeforeIsReadWholeUnlessItIsAFullPage() {
        #expect(BottleCRMConnector.unseen(feed([]), since: nil)?.isEmpty == true)
        #expect(BottleCRMConnector.unseen(feed(["b", "a"]), since: nil)?.map(\.id) == ["b", "a"])
        #expect(BottleCRMConnector.unseen(feed((0..<BottleCRMConnector.activityPage).map(String.init)), since: nil) == nil)
    }
}
