//! The schema and the first-start seed, on both backends.

use crate::helpers::on_each_backend;
use server::store::Store;

#[tokio::test]
async fn seed_creates_the_demo_city_once() {
    on_each_backend(|app| async move {
        let store = Store::connect(&app.database_url, 2).await.expect("connect");
        let count = |sql: &'static str| {
            let pool = store.pool().clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&pool)
                    .await
                    .expect(sql)
            }
        };
        assert_eq!(
            count("SELECT COUNT(*) FROM category").await,
            30,
            "{}",
            app.backend
        );
        assert_eq!(count("SELECT COUNT(*) FROM district").await, 6);
        assert_eq!(count("SELECT COUNT(*) FROM routing_rule").await, 30 * 6);
        assert_eq!(
            count("SELECT COUNT(*) FROM app_user WHERE password_hash IS NOT NULL").await,
            10,
            "one demo account per staff role, a second office's staff member and a second council member"
        );
        // Every staff account holds its role in staff_role.
        assert_eq!(
            count(
                "SELECT COUNT(*) FROM app_user u WHERE u.username IS NOT NULL AND NOT EXISTS \
                 (SELECT 1 FROM staff_role r WHERE r.user_id = u.id AND r.role = u.role)"
            )
            .await,
            0
        );
        // A second start seeds nothing new and prints no passwords.
        let again = server::seed::seed(&store, true, None).await.expect("seed");
        assert!(again.is_empty());
        assert_eq!(count("SELECT COUNT(*) FROM app_user").await, 10);
        // Every routing rule points at an existing unit; emergencies go to
        // the emergency unit of the complaint's own district, one per district.
        let rules: Vec<(String, Option<i64>, i64)> = sqlx::query_as(
            "SELECT u.kind, u.district_id, r.district_id FROM routing_rule r \
             JOIN category c ON c.id = r.category_id \
             JOIN unit u ON u.id = r.unit_id WHERE c.code = 'open-manhole'",
        )
        .fetch_all(store.pool())
        .await
        .expect("rules");
        assert_eq!(rules.len(), 6);
        for (kind, unit_district, rule_district) in &rules {
            assert_eq!(kind, "emergency");
            assert_eq!(*unit_district, Some(*rule_district));
        }
    })
    .await;
}

#[tokio::test]
async fn foreign_keys_are_enforced() {
    on_each_backend(|app| async move {
        let store = Store::connect(&app.database_url, 2).await.expect("connect");
        let res = sqlx::query(
            "INSERT INTO routing_rule (category_id, district_id, unit_id) VALUES (99999, 99999, 99999)",
        )
        .execute(store.pool())
        .await;
        assert!(res.is_err(), "{}: a dangling reference was accepted", app.backend);
    })
    .await;
}
