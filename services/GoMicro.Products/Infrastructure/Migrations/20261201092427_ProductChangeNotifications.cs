using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GoMicro.Products.Infrastructure.Migrations
{
    /// <summary>
    /// Every committed change to a product is announced on the channel products_changed as
    /// "id,revision,listing" (listing 1 when what lists contain or their order may change), and a
    /// TRUNCATE as "*": each replica's catalog cache listens (ProductChangeListener). pg_notify
    /// delivers at commit, in commit order, and nothing when the transaction rolls back.
    /// </summary>
    public partial class ProductChangeNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION products_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' THEN
                        -- A row removed outright: one past its last revision keeps older copies out.
                        PERFORM pg_notify('products_changed', OLD.id::text || ',' || (OLD.revision + 1)::text || ',1');
                        RETURN OLD;
                    END IF;
                    PERFORM pg_notify('products_changed', NEW.id::text || ',' || NEW.revision::text || ',' ||
                        CASE WHEN TG_OP = 'INSERT'
                                  OR NEW.name IS DISTINCT FROM OLD.name
                                  OR NEW.description IS DISTINCT FROM OLD.description
                                  OR NEW.category IS DISTINCT FROM OLD.category
                                  OR NEW.price_cents IS DISTINCT FROM OLD.price_cents
                                  OR NEW.deleted_at IS DISTINCT FROM OLD.deleted_at
                             THEN '1' ELSE '0' END);
                    RETURN NEW;
                END $$;

                CREATE FUNCTION products_notify_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('products_changed', '*');
                    RETURN NULL;
                END $$;

                CREATE TRIGGER products_notify_change AFTER INSERT OR UPDATE OR DELETE ON products
                    FOR EACH ROW EXECUTE FUNCTION products_notify_change();
                CREATE TRIGGER products_notify_truncate AFTER TRUNCATE ON products
                    FOR EACH STATEMENT EXECUTE FUNCTION products_notify_truncate();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS products_notify_truncate ON products;
                DROP TRIGGER IF EXISTS products_notify_change ON products;
                DROP FUNCTION IF EXISTS products_notify_truncate();
                DROP FUNCTION IF EXISTS products_notify_change();
                """);
        }
    }
}
