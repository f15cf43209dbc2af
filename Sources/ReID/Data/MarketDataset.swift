import Foundation

/// The three folders of the Market-1501 layout. Junk images (pid −1) are dropped when loading;
/// distractors (pid 0) stay in the gallery. Cameras become 0-based. Kept for existing callers:
/// `DatasetLayout` reads every layout (this one included) and relabels training pids.
public struct MarketDataset: Sendable {
    /// The split names and folders; kept under this name for existing callers.
    public typealias Split = DatasetSplit

    public let root: String
    public let splits: [Split: [ImageRecord]]

    public init(root: String, splits wanted: [Split] = Split.allCases) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ReIDError.data(path: root, reason: "no such dataset folder")
        }
        var found: [Split: [ImageRecord]] = [:]
        for split in wanted {
            let folder = root + "/" + split.folder
            guard FileManager.default.fileExists(atPath: folder) else {
                throw ReIDError.data(path: root, reason: "has no '\(split.folder)' folder for the \(split.rawValue) split "
                                     + "(Market-1501 layout: bounding_box_train/, query/, bounding_box_test/)")
            }
            var records: [ImageRecord] = []
            for path in try ImageFolder.list(folder) {
                guard let (pid, camera) = MarketNaming.parse(path) else {
                    throw ReIDError.data(path: path, reason: "name does not follow Market-1501's {pid}_c{camera}s…; rename it or use a CSV manifest")
                }
                if pid == -1 { continue }
                records.append(ImageRecord(path: path, pid: pid, camera: camera))
            }
            found[split] = records
        }
        self.root = root
        self.splits = found
    }

    public subscript(split: Split) -> [ImageRecord] { splits[split] ?? [] }
}
