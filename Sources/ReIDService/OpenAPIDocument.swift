/// The OpenAPI 3.0 description of the service, served at `/openapi.yaml` (hand-written; the
/// in-process API tests exercise each path it lists).
enum OpenAPIDocument {
    static let yaml = #"""
    openapi: 3.0.3
    info:
      title: SwiftReID gallery search
      version: "1"
      description: >
        Search a gallery of person crops by image, add and remove crops. Every path except
        /v1/health, /, /app.js, /app.css and /openapi.yaml needs `Authorization: Bearer <token>`.
        Errors are JSON {"error": {"status", "message"}}: 400 a field that is unknown, given twice,
        of the wrong kind or out of range (the message names it), a malformed multipart body, more
        than 80 parts or 64 images; 401 token; 404 unknown id; 413 upload too large or an image
        declaring more pixels than the server's --max-pixels; 415 not a decodable image.
    servers:
      - url: http://127.0.0.1:8080
    components:
      securitySchemes:
        bearer: { type: http, scheme: bearer }
      schemas:
        Flag:
          type: string
          enum: ["true", "false", "1", "0", "yes", "no", "on", "off"]
        Error:
          type: object
          properties:
            error:
              type: object
              properties: { status: { type: integer }, message: { type: string } }
        Hit:
          type: object
          properties:
            rank: { type: integer }
            id: { type: integer, format: int64 }
            distance: { type: number, description: cosine distance 1 - similarity (re-ranked distance with rerank) }
            similarity: { type: number }
            camera: { type: integer, description: 0-based camera, -1 unknown }
            time: { type: number, nullable: true, description: seconds since 1970 (null if the stored time is not a finite number) }
            track_id: { type: integer, nullable: true }
            image_url: { type: string }
      responses:
        Error:
          description: An error
          content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
    security:
      - bearer: []
    paths:
      /v1/health:
        get:
          security: []
          summary: Liveness and gallery size
          responses:
            "200":
              description: OK
              content:
                application/json:
                  schema:
                    type: object
                    properties: { status: { type: string }, items: { type: integer }, model: { type: string }, dimension: { type: integer } }
      /v1/search:
        post:
          summary: The gallery crops closest to a query image
          parameters:
            - { name: top, in: query, schema: { type: integer, minimum: 1, maximum: 100, default: 10 } }
            - { name: rerank, in: query, description: "re-rank the results (k-reciprocal); true/false, 1/0, yes/no, on/off", schema: { $ref: "#/components/schemas/Flag" } }
            - { name: camera_exclude, in: query, description: leave out this camera, schema: { type: integer, minimum: 0, maximum: 2147483647 } }
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema:
                  type: object
                  required: [image]
                  properties:
                    image: { type: string, format: binary }
                    top: { type: integer, minimum: 1, maximum: 100 }
                    rerank: { $ref: "#/components/schemas/Flag" }
                    camera_exclude: { type: integer, minimum: 0, maximum: 2147483647 }
              image/jpeg: { schema: { type: string, format: binary } }
              image/png: { schema: { type: string, format: binary } }
          responses:
            "200":
              description: Ranked results, best first
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      results: { type: array, items: { $ref: "#/components/schemas/Hit" } }
                      gallery_items: { type: integer }
                      model: { type: string }
                      timings_ms: { type: object, additionalProperties: { type: number } }
            "400": { $ref: "#/components/responses/Error" }
            "401": { $ref: "#/components/responses/Error" }
            "413": { $ref: "#/components/responses/Error" }
            "415": { $ref: "#/components/responses/Error" }
      /v1/gallery:
        post:
          summary: Add crops to the gallery
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema:
                  type: object
                  required: [image]
                  properties:
                    image: { type: array, items: { type: string, format: binary } }
                    camera: { type: integer, minimum: 0, maximum: 2147483647 }
                    track_id: { type: integer, minimum: 0, maximum: 2147483647 }
                    time: { type: number, minimum: 0, maximum: 253402300799, description: seconds since 1970 (default now) }
          responses:
            "201":
              description: Added
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      added: { type: array, items: { type: object, properties: { id: { type: integer }, image_url: { type: string } } } }
                      items: { type: integer }
            "400": { $ref: "#/components/responses/Error" }
            "401": { $ref: "#/components/responses/Error" }
            "413": { $ref: "#/components/responses/Error" }
            "415": { $ref: "#/components/responses/Error" }
      /v1/gallery/{id}:
        parameters:
          - { name: id, in: path, required: true, schema: { type: integer, format: int64 } }
        get:
          summary: One item's record
          responses:
            "200": { description: The item, content: { application/json: { schema: { type: object } } } }
            "400": { $ref: "#/components/responses/Error" }
            "401": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
        delete:
          summary: Remove an item
          responses:
            "200": { description: Removed (with the crop file the service stored), content: { application/json: { schema: { type: object, properties: { removed: { type: integer }, items: { type: integer } } } } } }
            "400": { $ref: "#/components/responses/Error" }
            "401": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
      /v1/gallery/{id}/image:
        parameters:
          - { name: id, in: path, required: true, schema: { type: integer, format: int64 } }
        get:
          summary: The item's image file
          responses:
            "200": { description: The image, content: { image/jpeg: { schema: { type: string, format: binary } }, image/png: { schema: { type: string, format: binary } } } }
            "400": { $ref: "#/components/responses/Error" }
            "401": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
      /metrics:
        get:
          summary: Prometheus metrics (text format 0.0.4)
          responses:
            "200": { description: Metrics, content: { text/plain: { schema: { type: string } } } }
            "401": { $ref: "#/components/responses/Error" }
    """#
}
