import Foundation

/// Reads the three-folder layout that Market-1501 introduced and DukeMTMC-reID and CUHK03-NP
/// reuse: `bounding_box_train/`, `query/`, `bounding_box_test/`, with pid and camera in each file
/// name. Every layout-specific loader is this scanner plus a name and a naming rule.
struct MarketStyleFolders {
    /// "Market-1501", for messages.
    let layoutName: String
    /// The naming pattern, for messages, e.g. "{pid}_c{camera}s{seq}_{frame}_{box}.jpg".
    let pattern: String
    /// An example file name, for messages.
    let example: String

    static let expectedFolders = "bounding_box_train/, query/ and bounding_box_test/"

    /// Throws when `root` is missing or holds none of the three folders.
    func checkRoot(_ root: String, format: String) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: root) else { throw ReIDError.data(path: root, reason: "no such dataset folder") }
        guard fm.isFolder(root) else {
            throw ReIDError.data(path: root, reason: "is a file; the \(layoutName) layout is a folder holding "
                                 + "\(Self.expectedFolders)")
        }
        let present = DatasetSplit.allCases.filter { fm.isFolder(root + "/" + $0.folder) }
        guard !present.isEmpty else {
            var reason = "is not in the \(layoutName) layout (--format \(format)): expected the folders "
                + "\(Self.expectedFolders); found \(fm.shortListing(root))"
            if let guess = try? DatasetLayout.detect(root), guess.format != format {
                reason += ". It looks like \(guess.displayName): try --format \(guess.format)"
            }
            throw ReIDError.data(path: root, reason: reason)
        }
    }

    /// Loads the wanted splits of `root` into `collector`.
    func load(_ root: String, format: String, into collector: inout SplitCollector) throws {
        try checkRoot(root, format: format)
        let fm = FileManager.default
        for split in DatasetSplit.allCases where collector.options.splits.contains(split) {
            let folder = root + "/" + split.folder
            guard fm.isFolder(folder) else {
                let message = "has no \(split.folder)/ folder for the \(split.rawValue) split "
                    + "(the \(layoutName) layout is \(Self.expectedFolders))"
                if collector.options.optionalSplits.contains(split) {
                    collector.note(path: root, message + "; the \(split.rawValue) split is empty")
                    continue
                }
                throw ReIDError.data(path: root, reason: message)
            }
            let paths: [String]
            do { paths = try ImageFolder.list(folder) } catch {
                try collector.problem(DatasetIssue(.emptySplit, path: folder, "\(error)".replacingOccurrences(
                    of: folder + ": ", with: "")))
                continue
            }
            var records: [ImageRecord] = []
            records.reserveCapacity(paths.count)
            for path in paths {
                guard let (pid, camera) = MarketNaming.parse(path) else {
                    try collector.problem(DatasetIssue(.misnamed, path: path,
                        "name does not follow \(layoutName)'s \(pattern) (e.g. \(example)); rename it, "
                        + "pick another --format, or list the images in a CSV manifest"))
                    continue
                }
                records.append(ImageRecord(path: path, pid: pid, camera: camera))
            }
            try collector.add(split, records, source: folder)
        }
    }
}

/// Market-1501: `bounding_box_train/`, `query/`, `bounding_box_test/`, names
/// `{pid}_c{camera}s{seq}_{frame}_{box}.jpg` (pid −1 junk, dropped; pid 0 distractor, kept).
public struct Market1501: ReIDDataset {
    public let name = "Market-1501"
    public let root: String
    public let train: [ImageRecord]
    public let query: [ImageRecord]
    public let gallery: [ImageRecord]
    public let issues: [DatasetIssue]

    static let folders = MarketStyleFolders(layoutName: "Market-1501", pattern: "{pid}_c{camera}s{seq}_{frame}_{box}.jpg",
                                            example: "0002_c1s1_000451_03.jpg")

    public init(root: String, options: DatasetOptions = DatasetOptions()) throws {
        self.root = normalisedRoot(root)
        var collector = SplitCollector(options: options)
        try Self.folders.load(self.root, format: "market", into: &collector)
        train = collector.relabelledTrain()
        query = collector[.query]
        gallery = collector[.gallery]
        issues = collector.issues
    }
}
