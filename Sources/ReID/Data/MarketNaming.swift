/// Market-1501 file names: `{pid}_c{camera}s{sequence}_{frame}_{box}.jpg`, pid −1 = junk,
/// 0 = distractor. Cameras in names are 1-based; SwiftReID stores them 0-based.
public enum MarketNaming {
    /// (pid, 0-based camera) from a file name, or nil when it does not start with
    /// `{pid}_c{camera}` (the rule of the reference loaders' regex `([-\d]+)_c(\d+)`; DukeMTMC-reID
    /// and CUHK03-NP names follow it too). Camera numbers start at 1, so `c0` is refused.
    public static func parse(_ fileName: String) -> (pid: Int, camera: Int)? {
        let name = Substring(fileName.split(separator: "/").last ?? Substring(fileName))
        guard let range = name.range(of: "_c") else { return nil }
        let pidText = name[name.startIndex..<range.lowerBound]
        guard !pidText.isEmpty, pidText.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }),
              let pid = Int(pidText) else { return nil }
        let digits = name[range.upperBound...].prefix(while: { $0.isASCII && $0.isNumber })
        guard let camera = Int(digits), camera >= 1 else { return nil }
        return (pid, camera - 1)
    }

    /// True for the full Market-1501 pattern `{pid}_c{camera}s{sequence}_…`.
    public static func isMarketName(_ fileName: String) -> Bool {
        guard parse(fileName) != nil else { return false }
        let name = Substring(fileName.split(separator: "/").last ?? Substring(fileName))
        let afterC = name[name.range(of: "_c")!.upperBound...].drop(while: { $0.isNumber })
        guard afterC.first == "s" else { return false }
        let seq = afterC.dropFirst().prefix(while: { $0.isNumber })
        return !seq.isEmpty && afterC.dropFirst(1 + seq.count).first == "_"
    }

    /// True for the DukeMTMC-reID pattern `{pid}_c{camera}_f{frame}…`.
    public static func isDukeName(_ fileName: String) -> Bool {
        guard parse(fileName) != nil else { return false }
        let name = Substring(fileName.split(separator: "/").last ?? Substring(fileName))
        let afterC = name[name.range(of: "_c")!.upperBound...].drop(while: { $0.isNumber })
        guard afterC.hasPrefix("_f") else { return false }
        return afterC.dropFirst(2).first?.isNumber == true
    }
}

/// MSMT17 file names: `{pid}_{sequence}_{camera}_{date}{time}_{frame}_{box}.jpg`, for example
/// `0000_000_01_0303morning_0015_0.jpg`; the camera is the third field (1-based, 1…15).
public enum MSMT17Naming {
    /// The 0-based camera from a name or a list path such as `0000/0000_000_01_….jpg`.
    public static func camera(_ fileName: String) -> Int? {
        let name = fileName.split(separator: "/").last ?? Substring(fileName)
        let fields = name.split(separator: "_", omittingEmptySubsequences: false)
        guard fields.count >= 3, fields[0].allSatisfy(\.isNumber), fields[1].allSatisfy(\.isNumber),
              !fields[2].isEmpty, fields[2].allSatisfy(\.isNumber), let camera = Int(fields[2]), camera >= 1
        else { return nil }
        return camera - 1
    }
}
