import Foundation

/// One gallery crop: where it came from, when, which camera and (optionally) which track, and
/// its feature (float32, as the model gave it; the search normalises it).
public struct GalleryItem: Sendable, Equatable {
    /// Assigned by the database; nil before insertion.
    public var id: Int64?
    public var path: String
    /// Camera index from 0 (Market-1501 `c1` is 0, as everywhere in SwiftReID); −1 when unknown.
    public var camera: Int
    /// Capture time, seconds since 1970 (the file's modification time unless given).
    public var time: Double
    /// Track (tracklet) id when the crop belongs to one.
    public var trackID: Int?
    /// Person id from the file name, when it carries one (−1 unknown).
    public var pid: Int
    public var feature: [Float]

    public init(id: Int64? = nil, path: String, camera: Int, time: Double, trackID: Int? = nil, pid: Int = -1,
                feature: [Float]) {
        self.id = id
        self.path = path
        self.camera = camera
        self.time = time
        self.trackID = trackID
        self.pid = pid
        self.feature = feature
    }
}

/// The model a gallery was indexed with. Features of another model are not comparable, so a
/// search with a different name, weight file content, input size or feature length is refused.
public struct GalleryModelIdentity: Sendable, Equatable, Codable {
    /// The model spec as `reid extract --model` takes it (`osnet_x0_25`, `onnx:PATH`…).
    public var model: String
    /// The weight file used (absolute path), if any.
    public var weightsPath: String?
    /// SHA-256 of the weight file (or of the ONNX file for `onnx:` models); "none" without weights.
    public var weightsSHA256: String
    public var height: Int
    public var width: Int
    /// Feature length; 0 until the first feature is stored.
    public var dimension: Int

    public init(model: String, weightsPath: String?, weightsSHA256: String, height: Int, width: Int, dimension: Int) {
        self.model = model
        self.weightsPath = weightsPath
        self.weightsSHA256 = weightsSHA256
        self.height = height
        self.width = width
        self.dimension = dimension
    }

    /// Fingerprints `model` with `weights` (the file's SHA-256). File paths are stored absolute
    /// (`onnx:graph.onnx` becomes `onnx:/abs/graph.onnx`), so the gallery works from any directory.
    public static func fingerprint(model: String, weights: String?, height: Int, width: Int) throws -> GalleryModelIdentity {
        let model = canonical(model)
        var hashed = weights
        if hashed == nil, model.hasPrefix("onnx:") { hashed = String(model.dropFirst(5)) }
        let absolute = weights.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let hash = try hashed.map { try SHA256.hex(ofFile: $0) } ?? "none"
        return GalleryModelIdentity(model: model, weightsPath: absolute, weightsSHA256: hash,
                                    height: height, width: width, dimension: 0)
    }

    /// A model spec with its file path made absolute (`onnx:x.onnx` → `onnx:/cwd/x.onnx`).
    static func canonical(_ model: String) -> String {
        guard model.hasPrefix("onnx:") else { return model }
        return "onnx:" + URL(fileURLWithPath: String(model.dropFirst(5))).standardizedFileURL.path
    }

    /// Throws `modelMismatch` unless `other` computes the same features as `self`. Two `onnx:`
    /// models are the same when their files' hashes are, wherever the files are.
    public func requireSameModel(as other: GalleryModelIdentity, gallery: String) throws {
        var differences: [String] = []
        let bothONNX = model.hasPrefix("onnx:") && other.model.hasPrefix("onnx:")
        if !bothONNX && model != other.model { differences.append("model \(other.model) (gallery: \(model))") }
        if weightsSHA256 != other.weightsSHA256 {
            differences.append("weights sha256 \(other.weightsSHA256.prefix(12))… (gallery: \(weightsSHA256.prefix(12))…)")
        }
        if height != other.height || width != other.width {
            differences.append("input \(other.height)x\(other.width) (gallery: \(height)x\(width))")
        }
        guard differences.isEmpty else {
            throw GalleryError.modelMismatch(
                "\(gallery) was indexed with \(model)\(weightsPath.map { " + " + $0 } ?? ""); this search uses "
                    + differences.joined(separator: ", ")
                    + ". Features of different models are not comparable: search with the gallery's model, or rebuild the index with `reid index build`.")
        }
    }
}
