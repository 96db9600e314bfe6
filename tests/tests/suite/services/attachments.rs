//! Attachments: checked by content and guarded, never taken from someone else, an upload quota
//! with a sweeper, and an S3-compatible store.

use super::*;

async fn attachments_are_checked_by_content_and_guarded(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    problem(
        upload(&w, Staff, "x.pdf", b"<html>not a pdf</html>".to_vec()).await,
        415,
        "attachment_type",
    )
    .await;
    problem(
        upload(&w, Staff, "x.pdf", Vec::new()).await,
        400,
        "invalid_body",
    )
    .await;
    let mut big = pdf();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    problem(
        upload(&w, Staff, "big.pdf", big).await,
        413,
        "payload_too_large",
    )
    .await;
    let r = upload(&w, Staff, "../../etc/surat dokter.pdf", pdf()).await;
    assert_eq!(r.status(), 201);
    let info: Value = r.json().await.unwrap();
    assert_eq!(info["name"], "surat dokter.pdf");
    assert_eq!(info["content_type"], "application/pdf");
    use sha2::Digest;
    assert_eq!(info["sha256"], hex::encode(sha2::Sha256::digest(pdf())));
    let id = info["id"].as_str().unwrap().to_owned();
    // Only the owner sees an attachment not yet sent.
    let r = get(&w, Staff, &format!("/api/v1/attachments/{id}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf());
    problem(
        get(&w, Fasilitator, &format!("/api/v1/attachments/{id}")).await,
        403,
        "forbidden",
    )
    .await;
    problem(
        get(
            &w,
            Staff,
            &format!("/api/v1/attachments/{}", Uuid::new_v4()),
        )
        .await,
        404,
        "attachment_not_found",
    )
    .await;

    // A PNG where only PDF is accepted is caught by what was stored, not what the form says.
    let png = [
        &[0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..],
        b"rest",
    ]
    .concat();
    let png_id = ok(upload(&w, Staff, "scan.png", png).await).await["id"].clone();
    let mut f = sick_leave("2026-06-29", "2026-07-01", Some(json!([{ "id": id }])));
    f["medical_board_letter"] =
        json!([{ "id": png_id, "content_type": "application/pdf", "size": 10 }]);
    let p = problem(
        submit(&w, Staff, "cuti_sakit", f.clone()).await,
        422,
        "form_invalid",
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "attachment_kind", "{p}");
    // Someone else's upload cannot be sent.
    let theirs = ok(upload(&w, Ibu, "x.pdf", pdf()).await).await["id"].clone();
    f["medical_board_letter"] = json!([{ "id": theirs }]);
    let p = problem(
        submit(&w, Staff, "cuti_sakit", f.clone()).await,
        422,
        "form_invalid",
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "attachment_not_found", "{p}");
    f.as_object_mut().unwrap().remove("medical_board_letter");
    let v = created(&w, Staff, "cuti_sakit", f).await;
    assert_eq!(
        v["form"]["doctor_certificate"][0]["name"],
        "surat dokter.pdf"
    );
    // Sent: the fasilitator may read it now; someone from another unit may not.
    let r = get(&w, Fasilitator, &format!("/api/v1/attachments/{id}")).await;
    assert_eq!(r.status(), 200);
    problem(
        get(&w, OtherFasilitator, &format!("/api/v1/attachments/{id}")).await,
        403,
        "forbidden",
    )
    .await;
    // And it cannot be sent a second time with another request.
    let f2 = sick_leave("2026-07-06", "2026-07-07", Some(json!([{ "id": id }])));
    let p = problem(
        submit(&w, Staff, "cuti_sakit", f2).await,
        422,
        "form_invalid",
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "attachment_not_found");
}

/// A draft (or an edit) can take only its owner's free files, and only through the attachment
/// fields its service declares: another employee's attachment id in an unknown key, or in a
/// real attachment field, neither moves the file nor lets the caller read it.
async fn someone_elses_attachment_cannot_be_taken(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    let draft = |who: Who, values: Value| {
        let w = &w;
        async move { post_request(w, who, &new_draft("cuti_sakit", values)).await }
    };
    // The victim's doctor's letter, sent with her request.
    let letter = ok(upload(&w, Ibu, "surat dokter.pdf", pdf()).await).await["id"].clone();
    let hers = sick_leave("2026-06-29", "2026-07-01", Some(json!([{ "id": letter }])));
    let theirs = created(&w, Ibu, "cuti_sakit", hers).await;
    // And a file she uploaded but has not sent yet.
    let pending = ok(upload(&w, Ibu, "ktp.pdf", pdf()).await).await["id"].clone();

    for id in [&letter, &pending] {
        // An unknown key is refused in a draft, as in a submission.
        let p = problem(
            draft(Staff, json!({ "zz": [{ "id": id }] })).await,
            422,
            "form_invalid",
        )
        .await;
        assert_eq!(p["errors"][0]["code"], "unknown_field", "{p}");
        assert_eq!(p["errors"][0]["field"], "zz", "{p}");
        // A declared attachment field does not take someone else's file either.
        let p = problem(
            draft(Staff, json!({ "doctor_certificate": [{ "id": id }] })).await,
            422,
            "form_invalid",
        )
        .await;
        assert_eq!(p["errors"][0]["code"], "attachment_not_found", "{p}");
        problem(
            get(
                &w,
                Staff,
                &format!("/api/v1/attachments/{}", id.as_str().unwrap()),
            )
            .await,
            403,
            "forbidden",
        )
        .await;
    }
    // An edit of the attacker's own draft is held to the same rules.
    let mine = ok(draft(Staff, json!({ "sick_kind": "biasa" })).await).await;
    let path = format!("/api/v1/requests/{}", mine["id"].as_str().unwrap());
    let edit = |values: Value| {
        let (w, path) = (&w, &path);
        let body = RequestEdit {
            version: version(&mine),
            form: form(values),
        };
        async move { put(w, Staff, path, &body).await }
    };
    let p = problem(
        edit(json!({ "zz": [{ "id": letter }] })).await,
        422,
        "form_invalid",
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "unknown_field", "{p}");
    let p = problem(
        edit(json!({ "doctor_certificate": [{ "id": pending }] })).await,
        422,
        "form_invalid",
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "attachment_not_found", "{p}");

    // The victim's files stayed where they were, and her request still shows its letter.
    use abdi_server::services::entity::attachment;
    let rows = attachment::Entity::find()
        .filter(attachment::Column::OwnerId.eq(w.ids[&Ibu]))
        .all(&w.app.state.db)
        .await
        .unwrap();
    let on = |id: &Value| {
        rows.iter()
            .find(|a| a.id.to_string() == id.as_str().unwrap())
            .unwrap()
            .request_id
    };
    assert_eq!(
        on(&letter).map(|u| u.to_string()),
        theirs["id"].as_str().map(str::to_owned)
    );
    assert_eq!(on(&pending), None);
    let again = view(&w, Ibu, theirs["id"].as_str().unwrap()).await;
    assert_eq!(
        again["form"]["doctor_certificate"][0]["id"], letter,
        "{again}"
    );
    let r = get(
        &w,
        Ibu,
        &format!("/api/v1/attachments/{}", letter.as_str().unwrap()),
    )
    .await;
    assert_eq!(r.status(), 200);

    // Her own draft takes her pending file; an edit that drops it lets it go again.
    let d = ok(draft(Ibu, json!({ "doctor_certificate": [{ "id": pending }] })).await).await;
    let released = ok(put(
        &w,
        Ibu,
        &format!("/api/v1/requests/{}", d["id"].as_str().unwrap()),
        &RequestEdit {
            version: version(&d),
            form: form(json!({ "sick_kind": "biasa" })),
        },
    )
    .await)
    .await;
    assert_eq!(released["status"], "draft");
    let row = attachment::Entity::find_by_id(Uuid::parse_str(pending.as_str().unwrap()).unwrap())
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.request_id, None);
}

/// An employee keeps only so many files waiting to be sent, and those never sent are swept
/// away after their time; files sent with a request stay.
async fn unsent_uploads_have_a_quota_and_are_swept(backend: Backend) {
    let clock = ManualClock::at(july_first());
    let w = world_with(backend, Some(clock.clone()), |c| {
        c.storage.pending_uploads_per_employee = 2;
        c.storage.pending_upload_ttl_hours = 48;
    })
    .await;
    let a = ok(upload(&w, Staff, "a.pdf", pdf()).await).await["id"].clone();
    let b = ok(upload(&w, Staff, "b.pdf", pdf()).await).await["id"].clone();
    let p = problem(
        upload(&w, Staff, "c.pdf", pdf()).await,
        409,
        "upload_quota_exceeded",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("48"), "{p}");
    // Someone else's quota is their own.
    ok(upload(&w, Ibu, "x.pdf", pdf()).await).await;
    // Sending one with a request frees its place.
    let f = sick_leave("2026-06-29", "2026-07-01", Some(json!([{ "id": a }])));
    created(&w, Staff, "cuti_sakit", f).await;
    let c = ok(upload(&w, Staff, "c.pdf", pdf()).await).await["id"].clone();

    // Two days on, nothing has been swept yet; past the time, the unsent ones go.
    use abdi_server::services::entity::attachment;
    let keys: Vec<String> = attachment::Entity::find()
        .filter(attachment::Column::RequestId.is_null())
        .all(&w.app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.storage_key)
        .collect();
    assert_eq!(keys.len(), 3);
    let pending = abdi_server::services::attachments::Pending {
        per_employee: 2,
        ttl_hours: 48,
    };
    clock.advance(std::time::Duration::from_secs(47 * 3600));
    assert_eq!(
        w.app.state.services.sweep_uploads(pending).await.unwrap(),
        0
    );
    clock.advance(std::time::Duration::from_secs(2 * 3600));
    assert_eq!(
        w.app.state.services.sweep_uploads(pending).await.unwrap(),
        3,
        "b, c and Ibu's"
    );
    for id in [&b, &c] {
        problem(
            get(
                &w,
                Staff,
                &format!("/api/v1/attachments/{}", id.as_str().unwrap()),
            )
            .await,
            404,
            "attachment_not_found",
        )
        .await;
    }
    let r = get(
        &w,
        Staff,
        &format!("/api/v1/attachments/{}", a.as_str().unwrap()),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf());
    // Their files are gone from the object store too.
    for key in keys {
        assert!(
            w.app.state.services.objects.get_bytes(&key).await.is_err(),
            "{key} left behind"
        );
    }
}

/// Attachments in an S3-compatible store: streamed in, read back, and nothing left behind by
/// a refused upload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_go_to_an_s3_compatible_store() {
    use abdi_server::config::Secret;
    use abdi_server::config::StorageBackend;
    let s3 = abdi_tests::s3::S3Server::start().await;
    let mut env = abdi_tests::TestEnv::new(Backend::Postgres).await;
    env.config.storage.backend = StorageBackend::S3;
    env.config.storage.s3_endpoint = s3.endpoint.clone();
    env.config.storage.s3_bucket = s3.bucket.clone();
    env.config.storage.s3_access_key_id = "abdi".into();
    env.config.storage.s3_secret_access_key = Some(Secret::new("abdi-secret"));
    env.config.storage.s3_allow_http = true;
    env.config.storage.max_upload_bytes = 64 * 1024;
    let app =
        abdi_tests::TestApp::start(env, std::sync::Arc::new(abdi_server::clock::SystemClock)).await;
    abdi_tests::world::seed(&app, 20, 5, "").await;
    let someone = employee::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let token = session_for(&app, someone.id).await;
    // Larger than one multipart chunk of the client would be for a small store: 40 KB.
    let mut body = pdf();
    body.resize(40 * 1024, b'%');
    let r = upload_as(&app, &token, "ijazah.pdf", body.clone()).await;
    assert_eq!(r.status(), 201);
    let info: Value = r.json().await.unwrap();
    let keys = s3.keys().await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].ends_with(info["id"].as_str().unwrap()));
    let r = call(
        &app,
        Method::GET,
        &format!("/api/v1/attachments/{}", info["id"].as_str().unwrap()),
        Some(&token),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), body);
    // Over the limit: refused while streaming, and no object is left in the bucket.
    let mut big = pdf();
    big.resize(65 * 1024, b'%');
    let r = upload_as(&app, &token, "besar.pdf", big).await;
    problem(r, 413, "payload_too_large").await;
    assert_eq!(s3.keys().await.len(), 1);
}

both_backends!(
    attachments_are_checked_by_content_and_guarded,
    someone_elses_attachment_cannot_be_taken,
    unsent_uploads_have_a_quota_and_are_swept,
);
