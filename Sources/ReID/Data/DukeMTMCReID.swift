/// DukeMTMC-reID: the Market-1501 folders (`bounding_box_train/`, `query/`,
/// `bounding_box_test/`) with names `{pid}_c{camera}_f{frame}.jpg`, 8 cameras.
public struct DukeMTMCReID: ReIDDataset {
    public let name = "DukeMTMC-reID"
    public let root: String
    public let train: [ImageRecord]
    public let query: [ImageRecord]
    public let gallery: [ImageRecord]
    public let issues: [DatasetIssue]

    static let folders = MarketStyleFolders(layoutName: "DukeMTMC-reID", pattern: "{pid}_c{camera}_f{frame}.jpg",
                                            example: "0005_c2_f0046985.jpg")

    public init(root: String, options: DatasetOptions = DatasetOptions()) throws {
        self.root = normalisedRoot(root)
        var collector = SplitCollector(options: options)
        try Self.folders.load(self.root, format: "duke", into: &collector)
        train = collector.relabelledTrain()
        query = collector[.query]
        gallery = collector[.gallery]
        issues = collector.issues
    }
}
