import Foundation

/// A folder of extra views of training images in GCL's layout: `nv/<degrees>/<original file name>`
/// for each body rotation, plus optional person masks `mask/<original file name>`. The views may
/// come from the built-in generator, another tool (GCL's `generate_data.py`, mesh renders) or the
/// synthetic dataset's ground truth; only the layout matters.
public struct ViewSet: Sendable {
    public let root: String
    /// Rotations present (folder names under nv/), ascending.
    public let angles: [Int]
    /// Original file name → angle → path of that view.
    public let views: [String: [Int: String]]
    /// Original file name → path of its mask (white person on black).
    public let masks: [String: String]
    /// Files and folders that do not fit the layout (collected, not fatal; see `validate`).
    public let problems: [Problem]

    public struct Problem: Codable, Sendable, Equatable {
        public var path: String
        public var reason: String
    }

    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "bmp"]

    /// Reads the layout under `root`. Throws when there is no usable `nv/` folder at all; other
    /// problems (a folder not named by degrees, a non-image file) are listed in `problems`.
    public static func load(_ root: String) throws -> ViewSet {
        let fm = FileManager.default
        let nv = root + "/nv"
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
            throw ReIDError.data(path: root, reason: "is not a folder; give a view set folder that holds nv/<degrees>/<image name>")
        }
        guard fm.fileExists(atPath: nv, isDirectory: &isDir), isDir.boolValue else {
            throw ReIDError.data(path: root, reason: "has no nv/ folder; a view set holds nv/<degrees>/<original image name> (e.g. nv/90/0001_c1s1_000151_00.jpg)")
        }
        var problems: [Problem] = []
        var views: [String: [Int: String]] = [:]
        var angles: [Int] = []
        for folder in try fm.contentsOfDirectory(atPath: nv).sorted() where !folder.hasPrefix(".") {
            let path = nv + "/" + folder
            guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
                problems.append(Problem(path: path, reason: "is a file; nv/ must hold one folder per rotation, named by degrees (nv/90/)"))
                continue
            }
            guard let angle = Int(folder), (0..<360).contains(angle) else {
                problems.append(Problem(path: path, reason: "is not named by an angle in degrees 0…359; rename it, e.g. nv/90"))
                continue
            }
            let names = try imageNames(in: path, problems: &problems)
            if names.isEmpty {
                problems.append(Problem(path: path, reason: "holds no images"))
                continue
            }
            angles.append(angle)
            for name in names { views[name, default: [:]][angle] = path + "/" + name }
        }
        guard !angles.isEmpty else {
            throw ReIDError.data(path: nv, reason: "holds no angle folder with images; expected nv/<degrees>/<image name>"
                + (problems.isEmpty ? "" : " (\(problems.map { "\($0.path) \($0.reason)" }.joined(separator: "; ")))"))
        }
        var masks: [String: String] = [:]
        let maskDir = root + "/mask"
        if fm.fileExists(atPath: maskDir, isDirectory: &isDir), isDir.boolValue {
            for name in try imageNames(in: maskDir, problems: &problems) { masks[name] = maskDir + "/" + name }
        }
        return ViewSet(root: root, angles: angles.sorted(), views: views, masks: masks, problems: problems)
    }

    static func imageNames(in folder: String, problems: inout [Problem]) throws -> [String] {
        var names: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where !name.hasPrefix(".") {
            let ext = URL(fileURLWithPath: name).pathExtension.lowercased()
            if imageExtensions.contains(ext) {
                names.append(name)
            } else {
                problems.append(Problem(path: folder + "/" + name, reason: "is not an image (.jpg, .png, .bmp); remove it or rename it"))
            }
        }
        return names
    }

    /// Throws on the first problem, naming it: for training, where a half-read view set would
    /// silently change the experiment.
    public func validate() throws {
        if let p = problems.first {
            throw ReIDError.data(path: p.path, reason: p.reason + (problems.count > 1 ? " (and \(problems.count - 1) more problem(s); run reid views inspect \(root))" : ""))
        }
    }

    /// The view of `name` (an original's file name) at `angle`, or nil. Falls back to a file
    /// with the same stem and another image extension (a generator may write .png for .jpg).
    public func view(of name: String, angle: Int) -> String? {
        if let p = views[name]?[angle] { return p }
        return views[ViewSet.stemKey(name, in: views)]?[angle]
    }

    /// The mask of `name`, or nil (same stem fallback as `view`).
    public func mask(of name: String) -> String? {
        masks[name] ?? masks[ViewSet.stemKey(name, in: masks)]
    }

    static func stemKey<V>(_ name: String, in map: [String: V]) -> String {
        let stem = (name as NSString).deletingPathExtension
        for ext in imageExtensions where map[stem + "." + ext] != nil { return stem + "." + ext }
        return name
    }

    /// Which originals have which angles. `originals` are the file names expected to have views
    /// (a dataset's training images); nil: every name found under nv/.
    public func coverage(originals: [String]? = nil) -> Coverage {
        let names = originals ?? views.keys.sorted()
        var perAngle: [Int: Int] = [:]
        var missing: [Coverage.Missing] = []
        var masked = 0
        for name in names {
            var lacks: [Int] = []
            for angle in angles {
                if view(of: name, angle: angle) != nil { perAngle[angle, default: 0] += 1 } else { lacks.append(angle) }
            }
            if !lacks.isEmpty { missing.append(Coverage.Missing(name: name, angles: lacks)) }
            if mask(of: name) != nil { masked += 1 }
        }
        let knownStems = Set(names.map { ($0 as NSString).deletingPathExtension })
        let orphans = originals == nil ? [] : views.keys.filter {
            !knownStems.contains(($0 as NSString).deletingPathExtension)
        }.sorted()
        return Coverage(root: root, originals: names.count, angles: angles,
                        perAngle: angles.map { Coverage.AngleCount(angle: $0, views: perAngle[$0] ?? 0) },
                        masks: masked, missing: missing, orphans: orphans, problems: problems)
    }

    /// What `reid views inspect` prints.
    public struct Coverage: Codable, Sendable {
        public struct AngleCount: Codable, Sendable { public var angle: Int; public var views: Int }
        public struct Missing: Codable, Sendable { public var name: String; public var angles: [Int] }
        public var root: String
        public var originals: Int
        public var angles: [Int]
        public var perAngle: [AngleCount]
        public var masks: Int
        /// Originals lacking at least one angle, with the angles they lack.
        public var missing: [Missing]
        /// Views whose original is not among the given originals (names that do not match).
        public var orphans: [String]
        public var problems: [Problem]
        /// Every original has every angle and nothing is misnamed.
        public var complete: Bool { missing.isEmpty && orphans.isEmpty && problems.isEmpty }
    }
}
