import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
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
        /// Most pixels one uploaded image may declare in its header (checked before decoding).
        public var maxPixels = ImageLimits.defaultMaxPixels
        /// Most pixels all the images of one request may declare together.
        public var maxRequestPixels = 64_000_000
        /// Most multipart parts, and most image parts, in one request.
        public var maxParts = 80
        public var maxImageParts = 64
        /// Slow clients: the request head must arrive within `headerTimeout` seconds of connecting,
        /// a body within `bodyTimeout` of its head; a connection idle for `idleTimeout` is closed.
        public var headerTimeout: Double = 10
        public var bodyTimeout: Double = 60
        public var idleTimeout: Double = 60
        /// Most connections open at once; past it new ones wait in the listen backlog.
        public var maxConnections = 4096

        public init(uploadsDirectory: String, maxUploadBytes: Int = 8 << 20, maxTop: Int = 100) {
            self.uploadsDirectory = uploadsDirectory
            self.maxUploadBytes = maxUploadBytes
            self.maxTop = maxTop
        }

        /// Refuses settings that cannot work, naming the `reid serve` option.
        public func validate() throws {
            func require(_ ok: Bool, _ message: String) throws { if !ok { throw GalleryError.invalid(message) } }
            try require(maxUploadBytes > 0, "--max-upload-mb must be positive")
            try require(maxTop > 0, "the largest top-k must be positive")
            try require(maxPixels > 0, "--max-pixels must be positive")
            try require(maxRequestPixels >= maxPixels, "the pixels per request must be at least --max-pixels")
            try require(maxParts > 0 && maxImageParts > 0, "the part limits must be positive")
            for (name, value) in [("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout),
                                  ("--idle-timeout", idleTimeout)] {
                try require(value.isFinite && value > 0 && value <= 86_400, "\(name) must be 0 < seconds ≤ 86400, not \(value)")
            }
            try require(maxConnections > 0, "--max-connections must be positive")
        }
    }

    public let index: GalleryIndex
    public let embedder: GalleryEmbedder
    public let settings: Settings
    let token: String
    let metrics = ServiceMetrics()

    /// Also removes uploaded crops that no gallery row points to (left by a crash between writing
    /// a crop and committing its row, or by an older version that kept deleted items' files).
    public init(index: GalleryIndex, embedder: GalleryEmbedder, token: String, settings: Settings) throws {
        guard !token.isEmpty else { throw GalleryError.invalid("the bearer token is empty; put a secret in the --token-file") }
        try settings.validate()
        try index.identity.requireSameModel(as: embedder.identity, gallery: index.store.path)
        self.index = index
        self.embedder = embedder
        self.token = token
        self.settings = settings
        _ = try UploadFolder(settings.uploadsDirectory).removeOrphans(keeping: index.store.paths())
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
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ErrorAndMetricsMiddleware(metrics: metrics))
        router.add(middleware: BearerAuthMiddleware(token: token))
        router.get("/") { _, _ in Self.page() }
        router.get("/index.html") { _, _ in Self.page() }
        router.get("/app.js") { _, _ in Self.text(WebPage.javascript, type: "text/javascript; charset=utf-8") }
        router.get("/app.css") { _, _ in Self.text(WebPage.css, type: "text/css; charset=utf-8") }
        router.get("/openapi.yaml") { _, _ in Self.text(OpenAPIDocument.yaml, type: "application/yaml") }
        router.get("/v1/health") { _, _ in
            JSONBody.response(["status": "ok", "items": self.index.count, "model": self.index.identity.model,
                               "dimension": self.index.identity.dimension])
        }
        router.get("/metrics") { _, _ in
            Self.text(self.metrics.text(galleryItems: self.index.count, embedding: self.embedder.batchCounts), type: "text/plain; version=0.0.4")
        }
        router.post("/v1/search") { request, context in try await self.search(request, context) }
        router.post("/v1/gallery") { request, context in try await self.addItems(request, context) }
        router.delete("/v1/gallery/:id") { _, context in try await self.delete(try Self.id(context)) }
        router.get("/v1/gallery/:id") { _, context in
            let id = try Self.id(context)
            guard let item = try self.index.store.item(id: id) else { throw APIError(.notFound, "no gallery item \(id)") }
            return JSONBody.response(["id": id, "camera": item.camera, "time": Self.finite(item.time) as Any? ?? NSNull(),
                                      "track_id": item.trackID as Any? ?? NSNull(), "path": item.path])
        }
        router.get("/v1/gallery/:id/image") { _, context in
            let id = try Self.id(context)
            guard let item = try self.index.store.item(id: id) else { throw APIError(.notFound, "no gallery item \(id)") }
            guard let data = FileManager.default.contents(atPath: item.path) else {
                throw APIError(.notFound, "the image of item \(id) is gone from its file")
            }
            return Response(status: .ok, headers: [.contentType: Self.mediaType(item.path), .cacheControl: "private, max-age=3600"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        return router
    }

    /// An application bound to `host:port`, with the slow-client timeouts and connection cap.
    public func application(host: String = "127.0.0.1", port: Int) -> some ApplicationProtocol {
        let settings = settings
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestReadTimeoutHandler(headTimeout: Self.timeAmount(settings.headerTimeout),
                                                                  bodyTimeout: Self.timeAmount(settings.bodyTimeout))],
            idleTimeout: Self.timeAmount(settings.idleTimeout))
        return Application(router: router(), server: .http1(configuration: http1),
                           configuration: .init(address: .hostname(host, port: port), serverName: "SwiftReID",
                                                backlog: 1024,
                                                availableConnectionsDelegate: MaximumAvailableConnections(settings.maxConnections)))
    }

    static func timeAmount(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64(seconds * 1e9)) }

    // MARK: handlers

    struct SearchResponse: Encodable {
        struct Hit: Encodable {
            var rank: Int, id: Int64, distance: Float, similarity: Float, camera: Int
            /// nil for a time that is not a finite number (a row written before times were checked).
            var time: Double?
            var track_id: Int?
            var image_url: String
        }
        var results: [Hit]
        var gallery_items: Int
        var model: String
        var timings_ms: [String: Double]
    }

    /// Times from 1970 up to the year 9999, the range a capture time can sensibly have.
    static let timeRange: ClosedRange<Double> = 0...253_402_300_799
    /// Cameras and track ids are stored as SQLite integers; the bound keeps them 32-bit.
    static let idRange: ClosedRange<Int> = 0...Int(Int32.max)

    func search(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let upload = try await readUpload(request, context)
        guard upload.images.count == 1, let image = upload.images.first else {
            throw APIError(.badRequest, upload.images.isEmpty
                ? "no image: send multipart/form-data with an `image` file part, or the image bytes as the body"
                : "a search takes one `image` part, not \(upload.images.count)")
        }
        var values = upload.fields
        for (name, value) in request.uri.queryParameters where values[String(name)] == nil {
            values[String(name)] = String(value)
        }
        let fields = try FormFields(values, allowed: ["top", "rerank", "camera_exclude"], endpoint: "POST /v1/search")
        let top = try fields.int("top", in: 1...settings.maxTop) ?? 10
        let rerank = try fields.bool("rerank") ?? false
        let excluded = try fields.int("camera_exclude", in: Self.idRange)
        let maxPixels = settings.maxPixels
        let (hits, timings) = try await Self.blocking { () -> ([SearchHit], [String: Double]) in
            var clock = ContinuousClock.now
            func lap() -> Double {
                let now = ContinuousClock.now, d = now - clock
                clock = now
                return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            }
            let decoded = try GalleryEmbedder.decode(image.data, maxPixels: maxPixels)
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
                                      camera: $0.camera, time: Self.finite($0.time), track_id: $0.trackID,
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
        let fields = try FormFields(upload.fields, allowed: ["camera", "track_id", "time"], endpoint: "POST /v1/gallery")
        let camera = try fields.int("camera", in: Self.idRange) ?? -1
        let track = try fields.int("track_id", in: Self.idRange)
        let time = try fields.double("time", in: Self.timeRange, meaning: "seconds since 1970") ?? Date().timeIntervalSince1970
        let folder = UploadFolder(settings.uploadsDirectory)
        let maxPixels = settings.maxPixels
        let stored = try await Self.blocking { () -> [GalleryItem] in
            // Decode and embed every upload before storing any, so one bad file rejects the request
            // whole; if storing fails partway, the crops already written are removed again.
            let decoded = try upload.images.map { try GalleryEmbedder.decode($0.data, maxPixels: maxPixels) }
            let features = try decoded.map { try self.embedder.feature(of: $0) }
            var items: [GalleryItem] = []
            do {
                for (part, feature) in zip(upload.images, features) {
                    let path = try folder.store(part.data, extension: Self.storedExtension(part.filename))
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

    /// Removes an item and, when the service stored its crop, the crop file too (it is personal
    /// data). Crops indexed from the user's own folders by `reid index` are left where they are.
    func delete(_ id: Int64) async throws -> Response {
        let folder = UploadFolder(settings.uploadsDirectory)
        let removed = try await Self.blocking { () -> Bool in
            guard let item = try self.index.store.item(id: id) else { return false }
            guard try self.index.remove(ids: [id]) == [id] else { return false }
            folder.removeIfOwned(item.path)
            return true
        }
        guard removed else { throw APIError(.notFound, "no gallery item \(id)") }
        return JSONBody.response(["removed": id, "items": index.count])
    }

    struct Upload: Sendable {
        var images: [MultipartPart] = []
        var fields: [String: String] = [:]
    }

    /// The images and form fields of a request: multipart/form-data, or a raw image body. The body
    /// is parsed off the event loop; part counts and the pixels each image header declares are
    /// checked here, before anything is decoded.
    func readUpload(_ request: Request, _ context: some RequestContext) async throws -> Upload {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > settings.maxUploadBytes {
            throw APIError(.contentTooLarge, "the upload has \(length) bytes; this server accepts at most \(settings.maxUploadBytes)")
        }
        var request = request
        let buffer = try await request.collectBody(upTo: settings.maxUploadBytes)
        let body = Data(buffer.readableBytesView)
        let contentType = request.headers[.contentType]
        let settings = settings
        return try await Self.blocking { () -> Upload in
            var upload = Upload()
            if let boundary = Multipart.boundary(contentType: contentType) {
                for part in try Multipart.parse(body, boundary: boundary, maxParts: settings.maxParts) {
                    if part.filename != nil || part.name == "image" {
                        upload.images.append(part)
                    } else {
                        guard upload.fields[part.name] == nil else {
                            throw APIError(.badRequest, "the field '\(FormFields.printable(part.name))' is given twice")
                        }
                        upload.fields[part.name] = part.text
                    }
                }
            } else if !body.isEmpty {
                upload.images.append(MultipartPart(name: "image", filename: nil, contentType: contentType, data: body))
            }
            guard upload.images.count <= settings.maxImageParts else {
                throw APIError(.badRequest, "the request has \(upload.images.count) images; send at most \(settings.maxImageParts) per request")
            }
            try Self.checkPixels(upload.images, settings: settings)
            return upload
        }
    }

    /// Reads each image's declared size from its header: an image over `maxPixels`, or a request
    /// whose images together exceed `maxRequestPixels`, is refused with 413 before any decoding.
    static func checkPixels(_ images: [MultipartPart], settings: Settings) throws {
        var total = 0
        for (i, part) in images.enumerated() {
            let header: ImageHeader
            do { header = try ImageHeader(bytes: part.data) } catch {
                throw GalleryError.notAnImage("image \(i + 1) (\(part.data.count) bytes) is not a decodable image: \(error); send a JPEG or PNG")
            }
            guard header.pixels <= settings.maxPixels else {
                throw APIError(.contentTooLarge, "image \(i + 1) declares \(header.width)x\(header.height) pixels; "
                               + "this server decodes at most \(settings.maxPixels) pixels per image")
            }
            total += header.pixels
            guard total <= settings.maxRequestPixels else {
                throw APIError(.contentTooLarge, "the images of this request declare more than \(settings.maxRequestPixels) pixels "
                               + "together; send fewer or smaller images per request")
            }
        }
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

    /// The web page, with the Content-Security-Policy that keeps injected script from running.
    static func page() -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8",
                                        .contentSecurityPolicy: WebPage.contentSecurityPolicy],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: WebPage.html)))
    }

    /// A time as JSON can carry it: nil for inf or nan.
    static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }

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
