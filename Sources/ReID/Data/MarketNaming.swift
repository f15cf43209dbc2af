/// Market-1501 file names: `{pid}_c{camera}s{sequence}_{frame}_{box}.jpg`, pid −1 = junk,
/// 0 = distractor. Cameras in names are 1-based; SwiftReID stores them 0-based.
public enum MarketNaming {
    /// (pid, 0-based camera) from a file name, or nil when it does not follow the pattern
    /// (the same rule as the regex `([-\d]+)_c(\d)` of the reference loaders).
    public static func parse(_ fileName: String) -> (pid: Int, camera: Int)? {
        let name = fileName.split(separator: "/").last.map(String.init) ?? fileName
        guard let range = name.range(of: "_c") else { return nil }
        let pidText = name[name.startIndex..<range.lowerBound]
        guard !pidText.isEmpty, pidText.allSatisfy({ $0.isNumber || $0 == "-" }), let pid = Int(pidText) else { return nil }
        let rest = name[range.upperBound...]
        guard let digit = rest.first, let camera = digit.wholeNumberValue else { return nil }
        return (pid, camera - 1)
    }
}
