// Test model of @sparkle/connector-sap: keys of several kinds, decimals, dates and timestamps,
// an association, nullable and non-nullable fields.
namespace sparkle.test;

entity Authors {
  key ID    : Integer;
      name  : String(111) not null;
      born  : Date;
      books : Association to many Books on books.author = $self;
}

entity Books {
  key ID        : Integer;
      title     : String(200) not null;
      price     : Decimal(9, 2);
      stock     : Integer;
      sold      : Integer64;
      rating    : Double;
      available : Boolean;
      published : Date;
      updatedAt : Timestamp;
      isbn      : UUID;
      author    : Association to Authors;
}

entity Orders {
  key ID       : UUID;
      book_ID  : Integer;
      quantity : Integer not null;
      amount   : Decimal(11, 3);
      note     : String(500);
}
