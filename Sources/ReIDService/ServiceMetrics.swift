import Foundation
import Hummingbird

/// Counters and latency histograms in Prometheus' text format (GET /metrics).
final class ServiceMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [String: Int] = [:]  // "route|status"
    private var latency: [String: Histogram] = [:]  // by route
    private var stages: [String: Histogram] = [:]  // search stages: decode, embed, search
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    struct Histogram {
        var counts = [Int](repeating: 0, count: ServiceMetrics.buckets.count)
        var sum = 0.0
        var total = 0
        mutating func observe(_ seconds: Double) {
            for (i, b) in ServiceMetrics.buckets.enumerated() where seconds <= b { counts[i] += 1 }
            sum += seconds
            total += 1
        }
    }

    /// The routes the service serves, as templates; every other path is counted as "unmatched".
    static let knownRoutes: Set<String> = [
        "/", "/index.html", "/openapi.yaml", "/v1/health", "/metrics", "/v1/search", "/v1/gallery",
        "/v1/gallery/{id}", "/v1/gallery/{id}/image",
    ]

    /// The route template of a request (ids folded). Paths the service does not serve all share the
    /// label "unmatched", so a client probing random URLs cannot grow the label set without bound.
    static func route(of request: Request) -> String {
        let parts = request.uri.path.split(separator: "/").map { Int64($0) != nil ? "{id}" : String($0) }
        let template = "/" + parts.joined(separator: "/")
        return request.method.rawValue + " " + (knownRoutes.contains(template) ? template : "unmatched")
    }

    func record(route: String, status: Int, seconds: Double) {
        lock.withLock {
            requests["\(route)|\(status)", default: 0] += 1
            latency[route, default: Histogram()].observe(seconds)
        }
    }

    func record(stage: String, seconds: Double) {
        lock.withLock { stages[stage, default: Histogram()].observe(seconds) }
    }

    /// `embedding`: forward passes and images of the single-image path (`GalleryEmbedder.batchCounts`).
    func text(galleryItems: Int, embedding: (passes: Int, images: Int) = (0, 0)) -> String {
        lock.withLock {
            var out = "# HELP reid_gallery_items Items in the gallery index.\n# TYPE reid_gallery_items gauge\n"
            out += "reid_gallery_items \(galleryItems)\n"
            out += "# HELP reid_embed_passes_total Forward passes that embedded uploaded images (several images each under load).\n# TYPE reid_embed_passes_total counter\n"
            out += "reid_embed_passes_total \(embedding.passes)\n"
            out += "# HELP reid_embed_images_total Uploaded images embedded.\n# TYPE reid_embed_images_total counter\n"
            out += "reid_embed_images_total \(embedding.images)\n"
            out += "# HELP reid_http_requests_total HTTP requests by route and status.\n# TYPE reid_http_requests_total counter\n"
            for (key, n) in requests.sorted(by: { $0.key < $1.key }) {
                let pieces = key.split(separator: "|", maxSplits: 1)
                out += "reid_http_requests_total{route=\"\(pieces[0])\",status=\"\(pieces[1])\"} \(n)\n"
            }
            out += histogram("reid_http_request_seconds", "Request latency by route.", label: "route", latency)
            out += histogram("reid_search_stage_seconds", "Search time by stage (decode, embed, search).", label: "stage", stages)
            return out
        }
    }

    private func histogram(_ name: String, _ help: String, label: String, _ values: [String: Histogram]) -> String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (key, h) in values.sorted(by: { $0.key < $1.key }) {
            for (i, b) in Self.buckets.enumerated() {
                out += "\(name)_bucket{\(label)=\"\(key)\",le=\"\(b)\"} \(h.counts[i])\n"
            }
            out += "\(name)_bucket{\(label)=\"\(key)\",le=\"+Inf\"} \(h.total)\n"
            out += "\(name)_sum{\(label)=\"\(key)\"} \(h.sum)\n\(name)_count{\(label)=\"\(key)\"} \(h.total)\n"
        }
        return out
    }
}
