import Foundation

/// A re-ID dataset loaded from disk: three splits of image records with 0-based cameras, junk
/// (pid −1) dropped from query and gallery, Market-1501 distractors (pid 0) kept in the gallery,
/// and training pids relabelled 0..<P in `ImageRecord.label` (the original pid is kept in `pid`).
///
/// One type per layout conforms (`Market1501`, `DukeMTMCReID`, `MSMT17`, `CUHK03NP`,
/// `CSVManifest`, `UnlabeledFolder`); `DatasetLayout` detects which one a folder holds.
public protocol ReIDDataset: Sendable {
    /// The layout's display name, e.g. "Market-1501".
    var name: String { get }
    /// The folder (or CSV file) the dataset was read from.
    var root: String { get }
    var train: [ImageRecord] { get }
    var query: [ImageRecord] { get }
    var gallery: [ImageRecord] { get }
    /// Files skipped while loading leniently (misnamed files, empty splits) and notes such as
    /// "no training folder"; empty for a clean dataset.
    var issues: [DatasetIssue] { get }
}

extension ReIDDataset {
    public subscript(split: DatasetSplit) -> [ImageRecord] {
        switch split {
        case .train: return train
        case .query: return query
        case .gallery: return gallery
        }
    }

    /// Number of training identities (classes); 0 for an unlabeled training set.
    public var ids: Int { Set(train.lazy.filter { $0.label >= 0 }.map(\.label)).count }

    /// Number of distinct cameras over all splits (cameras are 0-based indices).
    public var cameras: Int {
        Set((train + query + gallery).lazy.filter { $0.camera >= 0 }.map(\.camera)).count
    }

    /// Counts for one split.
    public func statistics(_ split: DatasetSplit) -> SplitStatistics { SplitStatistics(self[split]) }
}

/// Images, identities and cameras of one split.
public struct SplitStatistics: Sendable, Codable, Equatable {
    public var images: Int
    /// Distinct pids ≥ 0 (distractors, pid 0, count as one id when present).
    public var ids: Int
    /// Distinct cameras ≥ 0.
    public var cameras: Int
    /// Images per 0-based camera index, keyed by the index as text (for JSON); -1 = unknown.
    public var imagesPerCamera: [String: Int]
    /// Images with pid 0 (Market-1501 distractors).
    public var distractors: Int
    /// Images with pid −1 (unlabeled).
    public var unlabeled: Int

    enum CodingKeys: String, CodingKey {
        case images, ids, cameras, imagesPerCamera = "images_per_camera", distractors, unlabeled
    }

    public init(_ records: [ImageRecord]) {
        images = records.count
        ids = Set(records.lazy.filter { $0.pid >= 0 }.map(\.pid)).count
        cameras = Set(records.lazy.filter { $0.camera >= 0 }.map(\.camera)).count
        var perCamera: [String: Int] = [:]
        for r in records { perCamera[String(r.camera), default: 0] += 1 }
        imagesPerCamera = perCamera
        distractors = records.lazy.filter { $0.pid == 0 }.count
        unlabeled = records.lazy.filter { $0.pid < 0 }.count
    }
}

/// Something wrong or worth knowing about a dataset, found while loading or inspecting it.
public struct DatasetIssue: Sendable, Codable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// A file whose name does not follow the layout's naming; it was skipped.
        case misnamed
        /// A file that cannot be decoded as an image.
        case unreadable
        /// A split with no usable images.
        case emptySplit = "empty_split"
        /// Folders arranged so that the data would load as something else than meant (see `LayoutCheck`).
        case layout
        /// A remark that needs no action (e.g. a test-only dataset has no training folder).
        case note
    }
    public var kind: Kind
    public var path: String
    public var message: String

    public init(_ kind: Kind, path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// How to load a dataset.
public struct DatasetOptions: Sendable {
    /// Splits to read; the others stay empty.
    public var splits: Set<DatasetSplit>
    /// Splits whose folder may be missing (they are then empty and a note says so). By default
    /// the training folder is optional, so test-only datasets load.
    public var optionalSplits: Set<DatasetSplit>
    /// Throw at the first misnamed file or empty split (default). When false, such files are
    /// skipped and listed in `issues` (what `reid dataset inspect` does).
    public var strict: Bool
    /// MSMT17 only: add the images of `list_val.txt` to the training split. Off by default, as in
    /// torchreid and fast-reid's conventional protocol.
    public var includeValidation: Bool

    public init(splits: Set<DatasetSplit> = Set(DatasetSplit.allCases), optionalSplits: Set<DatasetSplit> = [.train],
                strict: Bool = true, includeValidation: Bool = false) {
        self.splits = splits
        self.optionalSplits = optionalSplits
        self.strict = strict
        self.includeValidation = includeValidation
    }
}

/// The shared bookkeeping of every loader: collects records and issues per split, applies the
/// junk rule, and relabels the training pids.
struct SplitCollector {
    let options: DatasetOptions
    var records: [DatasetSplit: [ImageRecord]] = [:]
    var issues: [DatasetIssue] = []

    init(options: DatasetOptions) { self.options = options }

    /// Records a problem: throws in strict mode, otherwise keeps it in `issues`.
    mutating func problem(_ issue: DatasetIssue) throws {
        if options.strict && issue.kind != .note { throw ReIDError.data(path: issue.path, reason: issue.message) }
        issues.append(issue)
    }

    mutating func note(path: String, _ message: String) { issues.append(DatasetIssue(.note, path: path, message)) }

    /// Adds a split's records. Junk (pid −1) is dropped from query and gallery; `dropJunkInTrain`
    /// drops it from train too (true for the benchmark layouts, false for unlabeled sets).
    /// An empty result is a problem named after `source`.
    mutating func add(_ split: DatasetSplit, _ found: [ImageRecord], source: String,
                      dropJunkInTrain: Bool = true) throws {
        let kept = found.filter { $0.pid != -1 || (split == .train && !dropJunkInTrain) }
        if kept.isEmpty {
            let reason = found.isEmpty
                ? "the \(split.rawValue) split is empty: no images listed"
                : "the \(split.rawValue) split is empty: all \(found.count) images are junk (pid −1)"
            try problem(DatasetIssue(.emptySplit, path: source, reason))
        }
        records[split, default: []] += kept
    }

    /// The training records with `label` = index of the pid among the sorted distinct pids ≥ 0.
    func relabelledTrain() -> [ImageRecord] {
        let train = records[.train] ?? []
        let pids = Set(train.lazy.filter { $0.pid >= 0 }.map(\.pid)).sorted()
        let label = Dictionary(uniqueKeysWithValues: pids.enumerated().map { ($1, $0) })
        return train.map { r in
            var r = r
            r.label = r.pid >= 0 ? label[r.pid]! : -1
            return r
        }
    }

    subscript(split: DatasetSplit) -> [ImageRecord] { records[split] ?? [] }
}

extension FileManager {
    /// True when `path` exists and is a folder.
    func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// A short listing of a folder for error messages: "a/, b/, list.txt" (at most 8 entries).
    func shortListing(_ path: String) -> String {
        guard let items = try? contentsOfDirectory(atPath: path), !items.isEmpty else { return "nothing" }
        let shown = items.sorted().prefix(8).map { isFolder(path + "/" + $0) ? $0 + "/" : $0 }
        return shown.joined(separator: ", ") + (items.count > 8 ? ", … (\(items.count) entries)" : "")
    }
}

/// Joins a folder and a relative path with one slash; absolute paths are returned as they are.
func joinPath(_ folder: String, _ relative: String) -> String {
    if relative.hasPrefix("/") { return relative }
    if folder.isEmpty || folder == "." { return relative }
    return folder.hasSuffix("/") ? folder + relative : folder + "/" + relative
}

/// The root as given, without a trailing slash (so messages and paths read cleanly).
func normalisedRoot(_ root: String) -> String {
    var r = root
    while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
    return r
}
