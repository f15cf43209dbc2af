import Foundation

/// A folder of images without labels (searched recursively), e.g. crops from a tracker for
/// unsupervised training: every image goes to the training split with pid −1 and the camera
/// from a Market-1501 style name (`…_c{camera}…`, made 0-based) when present, else camera 0.
public struct UnlabeledFolder: ReIDDataset {
    public let name = "unlabeled image folder"
    public let root: String
    public let train: [ImageRecord]
    public let query: [ImageRecord] = []
    public let gallery: [ImageRecord] = []
    public let issues: [DatasetIssue]

    public init(root: String, options: DatasetOptions = DatasetOptions()) throws {
        self.root = normalisedRoot(root)
        var collector = SplitCollector(options: options)
        if options.splits.contains(.train) {
            let records = try ImageFolder.list(self.root, recursive: true).map { path in
                ImageRecord(path: path, pid: -1, camera: MarketNaming.parse(path)?.camera ?? 0)
            }
            try collector.add(.train, records, source: self.root, dropJunkInTrain: false)
        }
        for split in [DatasetSplit.query, .gallery] where options.splits.contains(split) {
            let message = "an unlabeled image folder (--format folder) has no \(split.rawValue) split"
            guard options.splits.contains(.train) || options.optionalSplits.contains(split) else {
                throw ReIDError.data(path: self.root, reason: message + "; ask for the train split, or use a layout with labels")
            }
            collector.note(path: self.root, message)
        }
        train = collector[.train]
        issues = collector.issues
    }
}
