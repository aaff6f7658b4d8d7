import Foundation
import MailStore
import Metrics

/// The drop counters and latency (swift-metrics; the executable exports them for Prometheus):
/// `crmgate_drops_total{kind="drop|follow", outcome="done|failed|retried|dismissed"}` and
/// `crmgate_drop_latency_seconds{kind}`, from the drop being queued to its being done.
enum DropMetrics {
    static func finished(_ job: DropJob, _ outcome: String) {
        Counter(label: "crmgate_drops_total", dimensions: [("kind", kind(job)), ("outcome", outcome)]).increment()
        if outcome == "done" {
            Metrics.Timer(label: "crmgate_drop_latency_seconds", dimensions: [("kind", kind(job))])
                .recordSeconds(max(0, Date().timeIntervalSince(job.createdAt)))
        }
    }

    static func retried(_ job: DropJob) {
        Counter(label: "crmgate_drops_total", dimensions: [("kind", kind(job)), ("outcome", "retried")]).increment()
    }

    private static func kind(_ job: DropJob) -> String { job.follow ? "follow" : "drop" }
}
