import Dispatch
import Foundation
import Torch

/// What `reid dataset inspect` reports: per-split counts, the layout, and every problem found
/// (misnamed files, files that are not readable images, empty splits).
public struct DatasetInspection: Sendable, Codable {
    public var root: String
    /// The `--format` name of the layout read.
    public var format: String
    /// The layout's display name.
    public var layout: String
    /// Whether the layout was detected (true) or given with --format (false).
    public var detected: Bool
    public var train: SplitStatistics
    public var query: SplitStatistics
    public var gallery: SplitStatistics
    /// Training identities (classes after relabelling).
    public var trainIDs: Int
    /// Distinct cameras over all splits.
    public var cameras: Int
    /// How the images were checked: "header" (format and size from the first bytes) or "decode"
    /// (every image fully decoded with OpenCV).
    public var imageCheck: String
    /// Images whose header (or decode) failed.
    public var unreadable: Int
    /// Files skipped because their names do not follow the layout.
    public var misnamed: Int
    /// Smallest and largest image height and width seen in the headers (0 when none was read).
    public var minSize: [Int]
    public var maxSize: [Int]
    public var issues: [DatasetIssue]

    enum CodingKeys: String, CodingKey {
        case root, format, layout, detected, train, query, gallery, trainIDs = "train_ids", cameras
        case imageCheck = "image_check", unreadable, misnamed, minSize = "min_size", maxSize = "max_size", issues
    }

    public subscript(split: DatasetSplit) -> SplitStatistics {
        switch split {
        case .train: return train
        case .query: return query
        case .gallery: return gallery
        }
    }

    /// Loads `root` leniently (problems are collected, not thrown) and checks every image:
    /// its header by default, a full decode when `decode` is true (slower).
    public static func inspect(_ root: String, format: DatasetLayout? = nil, decode: Bool = false,
                               workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> DatasetInspection {
        let layout = try format ?? DatasetLayout.detect(root)
        let options = DatasetOptions(optionalSplits: Set(DatasetSplit.allCases), strict: false)
        let dataset = try layout.load(root, options: options)
        let records = dataset.train + dataset.query + dataset.gallery
        let checks = checkImages(records.map(\.path), decode: decode, workers: workers)
        var issues = dataset.issues + LayoutCheck.issues(root: root, layout: layout, detected: format == nil)
        var unreadable = 0
        var minSize = [Int.max, Int.max], maxSize = [0, 0]
        for (record, result) in zip(records, checks) {
            switch result {
            case .success(let size):
                minSize = [min(minSize[0], size.height), min(minSize[1], size.width)]
                maxSize = [max(maxSize[0], size.height), max(maxSize[1], size.width)]
            case .failure(let error):
                unreadable += 1
                let reason: String
                if case ReIDError.data(_, let r) = error { reason = r } else {
                    reason = "\(error)".replacingOccurrences(of: record.path + ": ", with: "")
                }
                issues.append(DatasetIssue(.unreadable, path: record.path, reason))
            }
        }
        if minSize[0] == .max { minSize = [0, 0] }
        return DatasetInspection(
            root: dataset.root, format: layout.format, layout: dataset.name, detected: format == nil,
            train: dataset.statistics(.train), query: dataset.statistics(.query), gallery: dataset.statistics(.gallery),
            trainIDs: dataset.ids, cameras: dataset.cameras, imageCheck: decode ? "decode" : "header",
            unreadable: unreadable + dataset.issues.filter { $0.kind == .unreadable }.count,
            misnamed: dataset.issues.filter { $0.kind == .misnamed }.count,
            minSize: minSize, maxSize: maxSize, issues: issues)
    }

    /// (height, width) of every image, or the reason it cannot be read; in parallel, in order.
    static func checkImages(_ paths: [String], decode: Bool, workers: Int) -> [Result<(height: Int, width: Int), Error>] {
        let results = ResultArray(count: paths.count)
        let workers = max(1, min(workers, paths.count))
        guard !paths.isEmpty else { return [] }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < paths.count {
                let result: Result<(height: Int, width: Int), Error> = Result {
                    if decode {
                        let image = try Image(contentsOf: paths[i])
                        return (image.height, image.width)
                    }
                    let header = try ImageHeader(contentsOf: paths[i])
                    return (header.height, header.width)
                }
                results.set(i, result)
                i += workers
            }
        }
        return results.values
    }
}

/// Per-index results written from worker threads (each index once).
private final class ResultArray: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Result<(height: Int, width: Int), Error>?]
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Result<(height: Int, width: Int), Error>) {
        lock.lock()
        storage[i] = value
        lock.unlock()
    }
    var values: [Result<(height: Int, width: Int), Error>] { storage.map { $0! } }
}
