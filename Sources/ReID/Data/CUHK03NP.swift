import Foundation

/// CUHK03-NP (Zhong et al.'s new protocol: 767 training and 700 test ids): a root holding
/// `labeled/` (hand-drawn boxes) and `detected/` (DPM boxes), each in the Market-1501 folder
/// layout with names `{pid}_c{camera}_{index}.png`. `variant` picks which box set to read.
public struct CUHK03NP: ReIDDataset {
    public enum Variant: String, Sendable, CaseIterable {
        case labeled, detected
    }

    public var name: String { "CUHK03-NP (\(variant.rawValue))" }
    public let variant: Variant
    public let root: String
    public let train: [ImageRecord]
    public let query: [ImageRecord]
    public let gallery: [ImageRecord]
    public let issues: [DatasetIssue]

    /// `root` is the folder that holds `labeled/` and `detected/` (only the chosen one must exist),
    /// or the chosen folder itself.
    public init(root: String, variant: Variant, options: DatasetOptions = DatasetOptions()) throws {
        self.root = normalisedRoot(root)
        self.variant = variant
        let fm = FileManager.default
        guard fm.isFolder(self.root) else { throw ReIDError.data(path: self.root, reason: "no such dataset folder") }
        var sub = self.root + "/" + variant.rawValue
        // Pointing at the labeled/ or detected/ folder itself works too.
        if !fm.isFolder(sub) && (self.root as NSString).lastPathComponent == variant.rawValue
            && DatasetLayout.hasMarketFolders(self.root) {
            sub = self.root
        }
        guard fm.isFolder(sub) else {
            var reason = "has no \(variant.rawValue)/ folder: the CUHK03-NP layout (--format cuhk03-\(variant.rawValue)) "
                + "is labeled/ and detected/, each holding \(MarketStyleFolders.expectedFolders); found \(fm.shortListing(self.root))"
            if let guess = try? DatasetLayout.detect(self.root), guess.format != "cuhk03-\(variant.rawValue)" {
                reason += ". It looks like \(guess.displayName): try --format \(guess.format)"
            }
            throw ReIDError.data(path: self.root, reason: reason)
        }
        let folders = MarketStyleFolders(layoutName: "CUHK03-NP", pattern: "{pid}_c{camera}_{index}.png",
                                         example: "0001_c1_1.png")
        var collector = SplitCollector(options: options)
        try folders.load(sub, format: "cuhk03-\(variant.rawValue)", into: &collector)
        train = collector.relabelledTrain()
        query = collector[.query]
        gallery = collector[.gallery]
        issues = collector.issues
    }
}
