import Foundation

/// A folder of images without labels (searched recursively), e.g. crops from a tracker for
/// unsupervised training: every image goes to the training split with pid −1. Its camera comes
/// from a Market-1501 style name (`…_c{camera}…`) when present, else from the nearest camera
/// folder above it (`cam1/`, `c2/`, `camera_03/`, see `CameraFolderName`), else camera 1; all
/// are 0-based inside (c1 and cam1 are camera index 0).
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
            let root = self.root
            let records = try ImageFolder.list(root, recursive: true).map { path in
                ImageRecord(path: path, pid: -1, camera: MarketNaming.parse(path)?.camera
                                ?? CameraFolderName.camera(ofFile: path, below: root) ?? 0)
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
