import Foundation
import Torch

/// Whether generated views still show their person: the share of views whose nearest original
/// (cosine, among ALL originals) is the very image they were generated from. A random guess
/// scores 1 / originals. Judged by a re-ID model from the image files on disk, as training will
/// read them, ideally one that neither the generator nor anything trained on the views has used
/// (the generator's own encoder is what its identity loss optimises, so it is a lenient judge).
public enum IdentityPreservation {
    /// Share of rows of `views` [V, D] whose most similar row of `originals` [N, D] is
    /// `sources[v]`; both L2-normalised.
    public static func rate(views: Tensor, originals: Tensor, sources: [Int]) throws -> Double {
        guard views.size(0) == sources.count else {
            throw ReIDError.model("identity preservation: \(views.size(0)) views but \(sources.count) sources")
        }
        guard !sources.isEmpty else { return .nan }
        var hits = 0
        for start in stride(from: 0, to: sources.count, by: 1024) {
            let n = min(1024, sources.count - start)
            let nearest = try withNoGrad {
                try views.narrow(dim: 0, start: start, length: n).matmul(originals.transposed(0, 1)).argmax(dim: 1).ints()
            }
            hits += zip(nearest, sources[start..<(start + n)]).filter { $0 == $1 }.count
        }
        return Double(hits) / Double(sources.count)
    }

    /// The rate over all angles and per angle, judging the files: `originals[i]` and, per angle,
    /// `views[angle][i]` generated from original i.
    public static func measure(originals: [String], views: [Int: [String]], height: Int, width: Int, device: Device,
                               embed: (Tensor) throws -> Tensor) throws -> (overall: Double, perAngle: [String: Double]) {
        let extractor = FeatureExtractor(height: height, width: width, batchSize: 64, device: device)
        let o = try extractor.extract(paths: originals) { try embed($0).normalized(dim: 1) }.to(.cpu)
        var perAngle: [String: Double] = [:]
        var all: [Tensor] = [], sources: [Int] = []
        for (angle, paths) in views.sorted(by: { $0.key < $1.key }) {
            let v = try extractor.extract(paths: paths) { try embed($0).normalized(dim: 1) }.to(.cpu)
            perAngle[String(angle)] = try rate(views: v, originals: o, sources: Array(paths.indices))
            all.append(v)
            sources += Array(paths.indices)
        }
        return (try rate(views: Tensor.cat(all, dim: 0), originals: o, sources: sources), perAngle)
    }
}
