import Foundation
import Torch

/// Whether generated views still show their person, judged by a re-ID model from the image files
/// on disk (as training will read them), ideally one that neither the generator nor anything
/// trained on the views has used (the generator's own encoder is what its identity loss
/// optimises, so it is a lenient judge). Two rates:
///
/// - **image**: the share of views whose nearest original (cosine, among ALL originals) is the
///   very image they were generated from. A random guess scores 1 / originals. The image that
///   lent a view its pose and scene stays a candidate: a view nearest to it shows that image's
///   person, not its own.
/// - **person** (when the dataset names its people; the names are used to measure, never to
///   train): the share whose nearest original, chosen the same way, shows the same person.
///
/// The image rate has a ceiling well below 1 for any view that really changes pose and scene:
/// a person's other images from the same camera look as much like a new view as its source does.
/// `realViews` measures that ceiling with real new views: another camera's images of the person.
public enum IdentityPreservation {
    public struct Rates: Codable, Sendable, Equatable {
        public var image: Double
        public var person: Double?
    }

    /// For each row of `views` [V, D], the index of its most similar row of `originals` [N, D]
    /// (both L2-normalised), never `excluded[v]` (nil: leave none out).
    public static func nearest(views: Tensor, originals: Tensor, excluded: [Int?]) throws -> [Int] {
        guard views.size(0) == excluded.count else {
            throw ReIDError.model("identity preservation: \(views.size(0)) views but \(excluded.count) exclusions")
        }
        guard originals.size(0) >= 2 else { throw ReIDError.model("identity preservation needs at least 2 originals") }
        var result: [Int] = []
        result.reserveCapacity(excluded.count)
        for start in stride(from: 0, to: excluded.count, by: 1024) {
            let n = min(1024, excluded.count - start)
            let top = try withNoGrad {
                try views.narrow(dim: 0, start: start, length: n).matmul(originals.transposed(0, 1)).topk(2, dim: 1).indices.ints()
            }
            for r in 0..<n { result.append(top[2 * r] == excluded[start + r] ? top[2 * r + 1] : top[2 * r]) }
        }
        return result
    }

    /// Share of views whose nearest original (`nearest`) is `sources[v]`.
    public static func rate(views: Tensor, originals: Tensor, sources: [Int]) throws -> Double {
        guard views.size(0) == sources.count else {
            throw ReIDError.model("identity preservation: \(views.size(0)) views but \(sources.count) sources")
        }
        guard !sources.isEmpty else { return .nan }
        let found = try nearest(views: views, originals: originals, excluded: sources.map { _ in nil })
        return rates(found: found, sources: sources, persons: nil).image
    }

    /// The person rate of a random nearest original: the chance that two images drawn at random
    /// show the same person.
    public static func personChance(persons: [Int]) -> Double {
        let counts = Dictionary(persons.map { ($0, 1) }, uniquingKeysWith: +)
        return persons.map { Double(counts[$0]!) }.reduce(0, +) / Double(persons.count * persons.count)
    }

    /// Both rates from the nearest originals `found` of views generated from `sources`; the person
    /// rate only when every original's person is known (`persons[i] >= 0`).
    public static func rates(found: [Int], sources: [Int], persons: [Int]?) -> Rates {
        guard !sources.isEmpty else { return Rates(image: .nan, person: nil) }
        let image = Double(zip(found, sources).filter { $0 == $1 }.count) / Double(sources.count)
        guard let persons, persons.allSatisfy({ $0 >= 0 }) else { return Rates(image: image, person: nil) }
        let same = zip(found, sources).filter { persons[$0] == persons[$1] }.count
        return Rates(image: image, person: Double(same) / Double(sources.count))
    }

    /// The rates of real new views: every image of a person from another camera, taken as a view of
    /// each of that person's images (the search leaves out only the view itself). Its image rate
    /// is what a perfect generator could reach; nil when no person has images in two cameras.
    public static func realViews(originals: Tensor, persons: [Int], cameras: [Int]) throws -> (rates: Rates, pairs: Int)? {
        guard persons.count == originals.size(0), cameras.count == persons.count, persons.allSatisfy({ $0 >= 0 }) else {
            return nil
        }
        let found = try nearest(views: originals, originals: originals, excluded: persons.indices.map { $0 })
        var members: [Int: [Int]] = [:]
        for (i, p) in persons.enumerated() { members[p, default: []].append(i) }
        var image = 0.0, person = 0.0, counted = 0, pairs = 0
        for i in persons.indices {
            let views = members[persons[i]]!.filter { cameras[$0] != cameras[i] }
            guard !views.isEmpty else { continue }
            image += Double(views.filter { found[$0] == i }.count) / Double(views.count)
            person += Double(views.filter { persons[found[$0]] == persons[i] }.count) / Double(views.count)
            counted += 1
            pairs += views.count
        }
        guard counted > 0 else { return nil }
        return (Rates(image: image / Double(counted), person: person / Double(counted)), pairs)
    }

    public struct Measured: Sendable {
        public var overall: Rates
        public var perAngle: [String: Rates]
        /// Real new views (`realViews`) judged by the same model; nil without people in two cameras.
        public var realViews: Rates?
    }

    /// The rates over all angles and per angle, judging the files: `originals[i]` and, per angle,
    /// `views[angle][i]` generated from original i. `persons`/`cameras` of the originals add the
    /// person rate and the real-view ceiling.
    public static func measure(originals: [String], views: [Int: [String]], persons: [Int]? = nil, cameras: [Int]? = nil,
                               height: Int, width: Int, device: Device, embed: (Tensor) throws -> Tensor) throws -> Measured {
        let extractor = FeatureExtractor(height: height, width: width, batchSize: 64, device: device)
        let o = try extractor.extract(paths: originals) { try embed($0).normalized(dim: 1) }.to(.cpu)
        var perAngle: [String: Rates] = [:]
        var allFound: [Int] = [], allSources: [Int] = []
        for (angle, paths) in views.sorted(by: { $0.key < $1.key }) {
            let v = try extractor.extract(paths: paths) { try embed($0).normalized(dim: 1) }.to(.cpu)
            let found = try nearest(views: v, originals: o, excluded: paths.map { _ in nil })
            perAngle[String(angle)] = rates(found: found, sources: Array(paths.indices), persons: persons)
            allFound += found
            allSources += Array(paths.indices)
        }
        let real = try cameras.flatMap { c in try persons.flatMap { try realViews(originals: o, persons: $0, cameras: c) } }
        return Measured(overall: rates(found: allFound, sources: allSources, persons: persons), perAngle: perAngle,
                        realViews: real?.rates)
    }
}
