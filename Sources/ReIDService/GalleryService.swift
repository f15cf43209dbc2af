import Foundation
import Hummingbird
import ReID
import ReIDGallery
import Torch

/// The HTTP service of a gallery: search by upload, add and delete items, fetch their images,
/// health, Prometheus metrics, a web page at `/` and the OpenAPI document at `/openapi.yaml`.
///
/// Model inference and faiss search are blocking work; they run on Dispatch's global queues so
/// the server's event loops keep accepting requests. Searches run in parallel with each other;
/// adds and deletes take the index's write lock only for the moment of the update.
public final class GalleryService: Sendable {
    public struct Settings: Sendable {
        /// Largest accepted request body.
        public var maxUploadBytes = 8 << 20
        /// Largest top-k a search may ask for.
        public var maxTop = 100
        /// Where uploaded gallery images are kept.
        public var uploadsDirectory: String
        public init(uploadsDirectory: String, maxUploadBytes: Int = 8 << 20, maxTop: Int = 100) {
            self.uploadsDirectory = uploadsDirectory
            self.maxUploadBytes = maxUploadBytes
            self.maxTop = maxTop
        }
    }

    public let index: GalleryIndex
    public let embedder: GalleryEmbedder
    public let settings: Settings
    let token: String
    let metrics = ServiceMetrics()

    public init(index: GalleryIndex, embedder: GalleryEmbedder, token: String, settings: Settings) throws {
        guard !token.isEmpty else { throw GalleryError.invalid("the bearer token is empty; put a secret in the --token-file") }
        try index.identity.requireSameModel(as: embedder.identity, gallery: index.store.path)
        self.index = index
        self.embedder = embedder
        self.token = token
        self.settings = settings
    }

    /// Reads a token file (the first line, trimmed); refuses a missing or empty one.
    public static func token(fromFile path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GalleryError.file(path, "cannot read the token file; write a secret into it, e.g. `openssl rand -hex 32 > \(path)`")
        }
        let token = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !token.isEmpty else { throw GalleryError.file(path, "the token file is empty") }
        return token
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorAndMetricsMiddleware(metrics: metrics))
        router.add(middleware: BearerAuthMiddleware(token: token))
        router.get("/") { _, _ in Self.text(WebPage.html, type: "text/html; charset=utf-8") }
        router.get("/index.html") { _, _ in Self.text(WebPage.html, type: "text/html; charset=utf-8") }
        router.get("/openapi.yaml") { _, _ in Self.text(OpenAPIDocument.yaml, type: "application/yaml") }
        router.get("/v1/health") { _, _ in
            JSONBody.response(["status": "ok", "items": self.index.count, "model": self.index.identity.model,
                               "dimension": self.index.identity.dimension])
        }
        router.get("/metrics") { _, _ in
            Self.text(self.metrics.text(galleryItems: self.index.count), type: "text/plain; version=0.0.4")
        }
        router.post("/v1/search") { request, context in try await self.search(request, context) }
        router.post("/v1/gallery") { request, context in try await self.addItems(request, context) }
        router.delete("/v1/gallery/:id") { _, context in
            let id = try Self.id(context)
            let removed = try await Self.blocking { try self.index.remove(ids: [id]) }
            guard removed == [id] else { throw APIError(.notFound, "no gallery item \(id)") }
            return JSONBody.response(["removed": id, "items": self.index.count])
        }
        router.get("/v1/gallery/:id") { _, context in
            let id = try Self.id(context)
            guard let item = try self.index.store.item(id: id) else { throw APIError(.notFound, "no gallery item \(id)") }
            return JSONBody.response(["id": id, "camera": item.camera, "time": item.time,
                                      "track_id": item.trackID as Any? ?? NSNull(), "path": item.path])
        }
        router.get("/v1/gallery/:id/image") { _, context in
            let id = try Self.id(context)
            guard let item = try self.index.store.item(id: id) else { throw APIError(.notFound, "no gallery item \(id)") }
            guard let data = FileManager.default.contents(atPath: item.path) else {
                throw APIError(.notFound, "the image of item \(id) is gone from \(item.path)")
            }
            return Response(status: .ok, headers: [.contentType: Self.mediaType(item.path), .cacheControl: "private, max-age=3600"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        return router
    }

    /// An application bound to `host:port`.
    public func application(host: String = "127.0.0.1", port: Int) -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "SwiftReID"))
    }

    // MARK: handlers

    struct SearchResponse: Encodable {
        struct Hit: Encodable {
            var rank: Int, id: Int64, distance: Float, similarity: Float, camera: Int, time: Double
            var track_id: Int?
            var image_url: String
        }
        var results: [Hit]
        var gallery_items: Int
        var model: String
        var timings_ms: [String: Double]
    }

    func search(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let upload = try await readUpload(request, context)
        guard let image = upload.images.first else {
            throw APIError(.badRequest, "no image: send multipart/form-data with an `image` file part, or the image bytes as the body")
        }
        let query = request.uri.queryParameters
        func field(_ name: String) -> String? {
            if let value = upload.fields[name] { return value }
            if let value = query[Substring(name)] { return String(value) }
            return nil
        }
        let top = try Self.int(field("top") ?? "10", name: "top")
        guard (1...settings.maxTop).contains(top) else { throw APIError(.badRequest, "top must be 1…\(settings.maxTop), not \(top)") }
        let rerank = ["1", "true", "yes"].contains((field("rerank") ?? "").lowercased())
        let excluded = try field("camera_exclude")
            .map { try Self.int($0, name: "camera_exclude") }
        let (hits, timings) = try await Self.blocking { () -> ([SearchHit], [String: Double]) in
            var clock = ContinuousClock.now
            func lap() -> Double {
                let now = ContinuousClock.now, d = now - clock
                clock = now
                return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            }
            let decoded = try GalleryEmbedder.decode(image.data)
            let decode = lap()
            let feature = try self.embedder.feature(of: decoded)
            let embed = lap()
            let hits = try GallerySearch.search(self.index, feature: feature,
                                                options: SearchOptions(top: top, rerank: rerank, excludeCamera: excluded))
            let search = lap()
            return (hits, ["decode": decode, "embed": embed, "search": search])
        }
        for (stage, seconds) in timings { metrics.record(stage: stage, seconds: seconds) }
        let body = SearchResponse(
            results: hits.map { SearchResponse.Hit(rank: $0.rank, id: $0.id, distance: $0.distance, similarity: $0.similarity,
                                      camera: $0.camera, time: $0.time, track_id: $0.trackID,
                                      image_url: "/v1/gallery/\($0.id)/image") },
            gallery_items: index.count, model: index.identity.model,
            timings_ms: timings.mapValues { ($0 * 1e6).rounded() / 1e3 })
        return try JSONBody.response(encoding: body)
    }

    func addItems(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let upload = try await readUpload(request, context)
        guard !upload.images.isEmpty else {
            throw APIError(.badRequest, "no image: send multipart/form-data with one or more `image` file parts")
        }
        let camera = try upload.fields["camera"].map { try Self.int($0, name: "camera") } ?? -1
        let track = try upload.fields["track_id"].map { try Self.int($0, name: "track_id") }
        let time = try upload.fields["time"].map { t -> Double in
            guard let v = Double(t) else { throw APIError(.badRequest, "time must be seconds since 1970, not '\(t)'") }
            return v
        } ?? Date().timeIntervalSince1970
        let folder = settings.uploadsDirectory
        let stored = try await Self.blocking { () -> [GalleryItem] in
            // Decode and embed every upload before storing any, so one bad file rejects the request
            // whole; if storing fails partway, the crops already written are removed again.
            let decoded = try upload.images.map { try GalleryEmbedder.decode($0.data) }
            let features = try decoded.map { try self.embedder.feature(of: $0) }
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var items: [GalleryItem] = []
            do {
                for (part, feature) in zip(upload.images, features) {
                    let path = folder + "/" + UUID().uuidString.lowercased() + "." + Self.storedExtension(part.filename)
                    try AtomicWrite.write(part.data, to: path)
                    items.append(GalleryItem(path: path, camera: camera, time: time, trackID: track, pid: -1,
                                             feature: feature))
                }
                return try self.index.add(items)
            } catch {
                for item in items { try? FileManager.default.removeItem(atPath: item.path) }
                throw error
            }
        }
        return JSONBody.response(["added": stored.map { ["id": $0.id!, "image_url": "/v1/gallery/\($0.id!)/image"] },
                                  "items": index.count], status: .created)
    }

    struct Upload {
        var images: [MultipartPart] = []
        var fields: [String: String] = [:]
    }

    /// The images and form fields of a request: multipart/form-data, or a raw image body.
    func readUpload(_ request: Request, _ context: some RequestContext) async throws -> Upload {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > settings.maxUploadBytes {
            throw APIError(.contentTooLarge, "the upload has \(length) bytes; this server accepts at most \(settings.maxUploadBytes)")
        }
        var request = request
        let buffer = try await request.collectBody(upTo: settings.maxUploadBytes)
        let body = Data(buffer.readableBytesView)
        let contentType = request.headers[.contentType]
        var upload = Upload()
        if let boundary = Multipart.boundary(contentType: contentType) {
            for part in try Multipart.parse(body, boundary: boundary) {
                if part.filename != nil || part.name == "image" { upload.images.append(part) } else { upload.fields[part.name] = part.text }
            }
        } else if !body.isEmpty {
            upload.images.append(MultipartPart(name: "image", filename: nil, contentType: contentType, data: body))
        }
        return upload
    }

    // MARK: helpers

    /// The file extension an uploaded crop is stored under: png and bmp keep theirs, anything else is jpg.
    static func storedExtension(_ filename: String?) -> String {
        let ext = ((filename ?? "") as NSString).pathExtension.lowercased()
        return ["png", "bmp"].contains(ext) ? ext : "jpg"
    }

    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    static func id(_ context: some RequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text) else {
            throw APIError(.badRequest, "the gallery id must be an integer")
        }
        return id
    }

    static func int(_ text: String, name: String) throws -> Int {
        guard let v = Int(text.trimmingCharacters(in: .whitespaces)) else { throw APIError(.badRequest, "\(name) must be an integer, not '\(text)'") }
        return v
    }

    static func text(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func mediaType(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "png": return "image/png"
        case "bmp": return "image/bmp"
        default: return "image/jpeg"
        }
    }
}
