using { sparkle.test as db } from '../db/schema';

@requires: 'authenticated-user'
service CatalogService {
  entity Authors as projection on db.Authors;
  entity Books   as projection on db.Books;
  @restrict: [{ grant: 'READ', to: 'authenticated-user' }, { grant: 'CREATE', to: 'writer' }]
  entity Orders  as projection on db.Orders;
}
